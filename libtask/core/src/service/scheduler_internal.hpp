#pragma once
// Private parts of the scheduler shared by its source files.
#include <array>
#include <atomic>
#include <mutex>

#include "task/service/scheduler.hpp"

namespace task {

/// Upper bounds (seconds) of the lateness histogram.
inline constexpr std::array<double, 12> kLatenessBounds{0.01, 0.05, 0.1, 0.25, 0.5, 1,
                                                        2.5,  5,    10,  30,   60,  300};

struct Scheduler::Counters {
  std::atomic<std::int64_t> rounds{0}, claimed{0}, runs_succeeded{0}, runs_failed{0},
      runs_timed_out{0}, retries{0}, duplicate_slots{0}, stale_claims{0}, slots_skipped{0},
      leases_expired{0}, reminders_sent{0}, storage_errors{0}, active_runs{0},
      notifications_failed{0};
  std::mutex lateness_mutex;
  std::array<std::int64_t, kLatenessBounds.size() + 1> lateness{};  ///< per bucket, last = +Inf
  double lateness_sum = 0;
};

/// A run that has started: the task as stored (running), its execution row and retry policy.
struct Scheduler::Claim {
  Task task;
  Execution execution;
  Timestamp slot{};
  int max_attempts = 1;
  Micros backoff{0};
  bool exponential = false;
};

}  // namespace task
