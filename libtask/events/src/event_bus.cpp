#include "task/events/event_bus.hpp"

#include <exception>
#include <vector>

namespace task::events {

InProcessEventBus::InProcessEventBus(LogFn log) : log_(log ? std::move(log) : null_logger()) {}

InProcessEventBus::SubscriptionId InProcessEventBus::subscribe(std::string type, Handler handler) {
  if (type == "*") type.clear();
  std::lock_guard lock(mu_);
  const auto id = next_id_++;
  subs_.emplace(id, Entry{std::move(type), std::move(handler)});
  return id;
}

void InProcessEventBus::unsubscribe(SubscriptionId id) {
  std::lock_guard lock(mu_);
  subs_.erase(id);
}

void InProcessEventBus::publish(const Event& event) {
  std::vector<Handler> targets;
  {
    std::lock_guard lock(mu_);
    ++published_;
    for (const auto& [id, entry] : subs_)
      if (entry.type.empty() || entry.type == event.type) targets.push_back(entry.handler);
  }
  // Handlers run outside the lock so they may subscribe or unsubscribe.
  for (const auto& handler : targets) {
    try {
      handler(event);
    } catch (const std::exception& e) {
      log_("warn",
           "msg=\"event handler failed\" event_id=" + event.id + " error=\"" + e.what() + "\"");
    } catch (...) {
      log_("warn", "msg=\"event handler failed\" event_id=" + event.id);
    }
  }
}

std::uint64_t InProcessEventBus::published() const {
  std::lock_guard lock(mu_);
  return published_;
}

}  // namespace task::events
