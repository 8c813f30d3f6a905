#include "task/core/run_deadline.hpp"

#include <algorithm>

namespace task::deadline {
namespace {

thread_local std::optional<SteadyClock::time_point> t_deadline;

}  // namespace

std::optional<SteadyClock::time_point> current() {
  return t_deadline;
}

std::optional<std::chrono::milliseconds> remaining() {
  if (!t_deadline) return std::nullopt;
  const auto left = *t_deadline - SteadyClock::now();
  return std::max(std::chrono::ceil<std::chrono::milliseconds>(left), std::chrono::milliseconds{0});
}

Scope::Scope(SteadyClock::time_point deadline) : previous_(t_deadline) {
  t_deadline = previous_ ? std::min(*previous_, deadline) : deadline;
}

Scope::~Scope() {
  t_deadline = previous_;
}

}  // namespace task::deadline
