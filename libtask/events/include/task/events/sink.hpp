#pragma once
/// The batch extension of the EventSink port, for sinks that can acknowledge many events at once.
///
/// Ownership: a sink reads the events only during publish/publish_batch and keeps no reference.
/// Thread-safety: implementations state their own; the outbox relay calls a sink from one thread
/// at a time.
#include <cstddef>
#include <span>

#include "task/core/errors.hpp"
#include "task/ports/collaborators.hpp"

namespace task::events {

/// An EventSink that publishes a batch in order and reports how much of it was acknowledged.
class BatchEventSink : public EventSink {
 public:
  /// Publishes `events` in order. Returns how many leading events are acknowledged (durably
  /// accepted); the rest must be published again. Throws task::Unavailable when the sink is down.
  virtual std::size_t publish_batch(std::span<const Event> events) = 0;

  /// A batch of one.
  void publish(const Event& event) override {
    if (publish_batch(std::span<const Event>(&event, 1)) != 1)
      throw Unavailable("event not acknowledged: " + event.id);
  }
};

}  // namespace task::events
