#pragma once
/// The in-process event bus: an EventSink that hands each relayed event to the callbacks of the
/// embedding program (used when NATS_URL is unset).
///
/// Ownership: the bus owns copies of the handlers it is given; what a handler captures must outlive
/// its subscription (unsubscribe first). Thread-safety: subscribe, unsubscribe, publish and
/// published may be called from any thread (one mutex); handlers run on the publishing thread
/// (the outbox relay's), outside the lock, so they may subscribe or unsubscribe; an exception
/// from a handler is logged and does not reach the publisher.
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "task/events/log.hpp"
#include "task/ports/collaborators.hpp"

namespace task::events {

/// Delivers events synchronously, in publish order, to subscribers by event type or to all.
class InProcessEventBus final : public EventSink {
 public:
  using Handler = std::function<void(const Event&)>;
  using SubscriptionId = std::uint64_t;

  explicit InProcessEventBus(LogFn log = null_logger());

  /// Calls `handler` for every event whose `type` equals `type` ("task.created"), or for every
  /// event when `type` is empty or "*". Returns an id for unsubscribe.
  SubscriptionId subscribe(std::string type, Handler handler);
  /// Removes a subscription; unknown ids are ignored.
  void unsubscribe(SubscriptionId id);

  /// Calls the matching handlers in subscription order. A handler that throws is logged and
  /// skipped: one bad embedder callback neither blocks the relay nor the other subscribers.
  void publish(const Event& event) override;

  /// Number of events published so far.
  std::uint64_t published() const;

 private:
  struct Entry {
    std::string type;
    Handler handler;
  };
  LogFn log_;
  mutable std::mutex mu_;
  std::map<SubscriptionId, Entry> subs_;
  SubscriptionId next_id_ = 1;
  std::uint64_t published_ = 0;
};

}  // namespace task::events
