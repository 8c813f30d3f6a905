#pragma once
// Private parts of the scheduler shared by its source files.
#include <array>
#include <atomic>
#include <mutex>

#include "task/core/trace_context.hpp"
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
  Micros budget{0};        ///< the run's time budget (attempts, backoffs, margin): its lease length
  Timestamp lease_from{};  ///< when the lease was last set to a whole budget
  trace::TraceContext trace;  ///< the run's trace: its start, attempts and outcome events share it
};

/// What to do with a claimed task's due slot, worked out before the start transaction.
struct Scheduler::SlotPlan {
  std::optional<Timestamp> due;   ///< next_run_time as claimed (nullopt: nothing is due)
  std::optional<Timestamp> slot;  ///< the slot to run (nullopt: the misfire policy skips it)
  std::optional<Timestamp> next;  ///< next_run_time after this slot (nullopt: schedule over)
  int max_attempts = 1;
  Micros backoff{0};
  bool exponential = false;
  Micros budget{0};
};

/// What slot_change decided for one task.
struct Scheduler::SlotStart {
  enum Kind { stale, skipped, started } kind = stale;
  bool caught_up = false;  ///< started a later slot than the due one (run_once)
  Claim claim;             ///< when started
};

/// A run that has finished executing and waits for its outcome to be written.
struct Scheduler::Finished {
  Claim claim;
  RunOutcome outcome;
  std::optional<Execution> recorded;  ///< the execution as written by finish()
};

}  // namespace task
