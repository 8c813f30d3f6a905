#pragma once
/// An in-process EventSink: records every published event and dispatches it to subscribers.
///
/// Ownership: the sink owns copies of the events it records and of its subscriber callbacks.
/// Thread-safety: every member may be called from any thread (one mutex); subscribers run on the
/// publishing thread.
#include <functional>
#include <mutex>
#include <vector>

#include "task/ports/collaborators.hpp"

namespace task::memory {

/// Records events and calls subscribers synchronously; thread-safe.
class MemoryEventSink final : public EventSink {
 public:
  using Callback = std::function<void(const Event&)>;

  /// Records the event, then calls every subscriber (outside the lock). Throws Unavailable while
  /// set_available(false) is in force (to test outbox retries).
  void publish(const Event& event) override;
  /// Adds a subscriber called for every later event.
  void subscribe(Callback cb);
  /// Every event published so far, in order.
  std::vector<Event> events() const;
  /// Forgets the recorded events.
  void clear();
  /// Simulates an outage: while false, publish throws task::Unavailable.
  void set_available(bool available);

 private:
  mutable std::mutex mu_;
  std::vector<Event> events_;
  std::vector<Callback> callbacks_;
  bool available_ = true;
};

}  // namespace task::memory
