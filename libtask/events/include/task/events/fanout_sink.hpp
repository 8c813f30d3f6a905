#pragma once
/// Several sinks fed from one outbox (NATS and MQTT): a batch counts as acknowledged up to where
/// EVERY sink acknowledged it, so the relay marks a row published only when all sinks have it.
/// Each sink remembers the ids it already acknowledged in the current window and is not sent them
/// again while another sink catches up (after a restart they are sent again: at-least-once).
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

#include "task/events/sink.hpp"

namespace task::events {

class FanoutSink final : public BatchEventSink {
 public:
  struct Member {
    std::string name;  ///< for errors: "nats", "mqtt", ...
    std::shared_ptr<EventSink> sink;
  };
  explicit FanoutSink(std::vector<Member> members);

  /// The prefix every member acknowledged. Throws task::Unavailable (naming the failing members)
  /// when that prefix is empty because a member failed.
  std::size_t publish_batch(std::span<const Event> events) override;

 private:
  struct State {
    Member member;
    BatchEventSink* batch = nullptr;
    std::unordered_set<std::string> acked;  ///< ids acknowledged but not yet marked published
  };
  std::size_t publish_to(State& s, std::span<const Event> events, std::string& error);

  std::mutex mu_;
  std::vector<State> states_;
};

}  // namespace task::events
