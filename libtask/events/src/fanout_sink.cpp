#include "task/events/fanout_sink.hpp"

#include <algorithm>
#include <exception>

#include "task/core/errors.hpp"

namespace task::events {

FanoutSink::FanoutSink(std::vector<Member> members) {
  for (auto& m : members) {
    if (!m.sink) continue;
    State s;
    s.batch = dynamic_cast<BatchEventSink*>(m.sink.get());
    s.member = std::move(m);
    states_.push_back(std::move(s));
  }
}

std::size_t FanoutSink::publish_to(State& s, std::span<const Event> events, std::string& error) {
  if (s.batch) return std::min(s.batch->publish_batch(events), events.size());
  for (std::size_t i = 0; i < events.size(); ++i) {
    try {
      s.member.sink->publish(events[i]);
    } catch (const std::exception& e) {
      if (i == 0) throw;
      error = e.what();
      return i;
    }
  }
  return events.size();
}

std::size_t FanoutSink::publish_batch(std::span<const Event> events) {
  std::lock_guard lock(mu_);
  std::size_t all = events.size();
  std::string errors;
  for (auto& s : states_) {
    // Skip the leading events this member already acknowledged (another member was behind).
    std::size_t skip = 0;
    while (skip < events.size() && s.acked.contains(events[skip].id))
      ++skip;
    std::size_t acked = skip;
    std::string error;
    if (skip < events.size()) {
      try {
        acked = skip + publish_to(s, events.subspan(skip), error);
      } catch (const std::exception& e) {
        error = e.what();
      }
    }
    if (!error.empty()) errors += (errors.empty() ? "" : "; ") + s.member.name + ": " + error;
    // Keep only ids of this window: rows another replica published never come back.
    std::unordered_set<std::string> keep;
    for (std::size_t i = 0; i < acked; ++i)
      keep.insert(events[i].id);
    s.acked = std::move(keep);
    all = std::min(all, acked);
  }
  // The common prefix is marked published by the relay and is not fetched again.
  for (auto& s : states_)
    for (std::size_t i = 0; i < all; ++i)
      s.acked.erase(events[i].id);
  if (all == 0 && !events.empty())
    throw Unavailable(errors.empty() ? std::string("no sink acknowledged the batch") : errors);
  return all;
}

}  // namespace task::events
