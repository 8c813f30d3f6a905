#pragma once
// Private parts of the scheduler shared by its source files.
#include <array>
#include <atomic>

#include "task/core/trace_context.hpp"
#include "task/service/scheduler.hpp"

namespace task {

/// Upper bounds (seconds) of the lateness and run-duration histograms.
inline constexpr std::array<double, 12> kHistogramBounds{0.01, 0.05, 0.1, 0.25, 0.5, 1,
                                                         2.5,  5,    10,  30,   60,  300};
inline constexpr std::size_t kTaskTypes = static_cast<std::size_t>(TaskType::custom) + 1;

/// A histogram of atomics: per bucket (last = +Inf), sum in microseconds.
struct AtomicHistogram {
  std::array<std::atomic<std::int64_t>, kHistogramBounds.size() + 1> buckets{};
  std::atomic<std::int64_t> sum_micros{0};

  void observe(Micros value) {
    const auto v = std::max(value, Micros{0});
    const double seconds = std::chrono::duration<double>(v).count();
    std::size_t bucket = 0;
    while (bucket < kHistogramBounds.size() && seconds > kHistogramBounds[bucket])
      ++bucket;
    ++buckets[bucket];
    sum_micros += v.count();
  }
  HistogramNumbers numbers() const {
    HistogramNumbers h;
    std::int64_t running = 0;
    for (std::size_t i = 0; i < buckets.size(); ++i) {
      running += buckets[i].load();
      if (i < kHistogramBounds.size()) h.cumulative.push_back(running);
    }
    h.count = running;
    h.sum_seconds = static_cast<double>(sum_micros.load()) / 1e6;
    return h;
  }
};

struct Scheduler::Counters {
  std::atomic<std::int64_t> rounds{0}, claimed{0}, runs_succeeded{0}, runs_failed{0},
      runs_timed_out{0}, retries{0}, duplicate_slots{0}, stale_claims{0}, slots_skipped{0},
      leases_expired{0}, reminders_sent{0}, storage_errors{0}, active_runs{0},
      notifications_failed{0};
  AtomicHistogram lateness;
  std::array<std::array<AtomicHistogram, 2>, kTaskTypes> durations;  ///< [type][failed?]
};

/// What to do with a claimed task's due slot, worked out before the start transaction.
struct Scheduler::SlotPlan {
  std::optional<Timestamp> due;   ///< next_run_time as claimed (nullopt: nothing is due)
  std::optional<Timestamp> slot;  ///< the slot to run (nullopt: the misfire policy skips it)
  std::optional<Timestamp> next;  ///< next_run_time after this slot (nullopt: schedule over)
  RetryPolicy retry;
  Micros budget{0};
};

/// What slot_change decided for one task.
struct Scheduler::SlotStart {
  enum Kind { stale, skipped, started } kind = stale;
  bool caught_up = false;  ///< started a later slot than the due one (run_once)
  ScheduledRun run;        ///< when started
};

}  // namespace task
