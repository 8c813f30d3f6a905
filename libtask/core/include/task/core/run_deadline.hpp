#pragma once
/// The deadline of the run a thread is executing, so that every blocking call made for the run
/// (outbound HTTP in particular) ends by itself when the run's time is up. No thread watches a
/// run: `task::run_executor` sets the deadline for the executor's call, and the outbound HTTP
/// module shortens its connect/read timeouts to the time left (docs/scheduler.md, "Timeouts").
///
///   const task::deadline::Scope scope(std::chrono::steady_clock::now() + timeout);
///   ... task::deadline::remaining() ...  // time left, nullopt outside a run
///
/// Ownership: nothing is shared; the deadline is a per-thread value set by a Scope on the stack.
/// Thread-safety: each thread sees only its own deadline; a Scope must end on the thread that
/// made it.
#include <chrono>
#include <optional>

namespace task::deadline {

using SteadyClock = std::chrono::steady_clock;

/// The current deadline of this thread; nullopt when it runs no timed work.
std::optional<SteadyClock::time_point> current();

/// Time left before this thread's deadline (zero once it has passed); nullopt without one.
std::optional<std::chrono::milliseconds> remaining();

/// Sets this thread's deadline for a scope (an earlier enclosing deadline still wins) and
/// restores the previous one after.
class Scope {
 public:
  explicit Scope(SteadyClock::time_point deadline);
  ~Scope();
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  std::optional<SteadyClock::time_point> previous_;
};

}  // namespace task::deadline
