#include "task/memory/memory_event_sink.hpp"

#include "task/core/errors.hpp"

namespace task::memory {

void MemoryEventSink::publish(const Event& event) {
  std::vector<Callback> callbacks;
  {
    std::lock_guard lock(mu_);
    if (!available_) throw Unavailable("memory event sink unavailable");
    events_.push_back(event);
    callbacks = callbacks_;
  }
  for (const auto& cb : callbacks)
    cb(event);
}

void MemoryEventSink::subscribe(Callback cb) {
  std::lock_guard lock(mu_);
  callbacks_.push_back(std::move(cb));
}

std::vector<Event> MemoryEventSink::events() const {
  std::lock_guard lock(mu_);
  return events_;
}

void MemoryEventSink::clear() {
  std::lock_guard lock(mu_);
  events_.clear();
}

void MemoryEventSink::set_available(bool available) {
  std::lock_guard lock(mu_);
  available_ = available;
}

}  // namespace task::memory
