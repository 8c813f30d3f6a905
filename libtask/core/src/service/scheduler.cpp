// The scheduler's step(), counters and numbers (docs/api.md §13). No thread, no lock.
#include "task/service/scheduler.hpp"

#include <algorithm>
#include <thread>

#include "scheduler_internal.hpp"

namespace task {

Scheduler::Scheduler(SchedulerPorts ports, SchedulerOptions options)
    : ports_(std::move(ports)),
      options_(std::move(options)),
      counters_(std::make_shared<Counters>()) {
  if (options_.replica_id.empty()) options_.replica_id = "scheduler-" + ports_.ids->event_id();
  if (options_.batch_size < 1) options_.batch_size = 1;
  if (!ports_.executors) ports_.executors = std::make_shared<ExecutorRegistry>();
  if (!ports_.sleep) ports_.sleep = [](Micros d) { std::this_thread::sleep_for(d); };
}

void Scheduler::count_storage_error() {
  ++counters_->storage_errors;
}

void Scheduler::count_stale_claim() {
  ++counters_->stale_claims;
}

StepReport Scheduler::step(Timestamp now) {
  StepReport report;
  if (options_.reminders) report.reminders = fire_reminders(now);
  const auto lost = claim_lost(now, options_.batch_size);
  for (const auto& t : lost) {
    ++report.claimed;
    if (recover(t, now)) ++report.runs;
  }
  std::size_t locked = 0;
  auto runs = start_due(now, options_.batch_size - static_cast<int>(lost.size()), locked);
  report.claimed += static_cast<std::int64_t>(locked);
  std::vector<ScheduledOutcome> done;
  for (auto& r : runs) {
    auto outcome = execute(r);
    done.push_back(ScheduledOutcome{std::move(r), std::move(outcome), std::nullopt});
  }
  report.runs += static_cast<std::int64_t>(done.size());
  finish(done);
  return report;
}

void Scheduler::record_lateness(Micros late) {
  counters_->lateness.observe(late);
}

void Scheduler::record_duration(TaskType type, bool success, std::int64_t duration_ms) {
  const auto i = static_cast<std::size_t>(type);
  if (i >= kTaskTypes) return;
  counters_->durations[i][success ? 0 : 1].observe(std::chrono::milliseconds(duration_ms));
}

SchedulerMetrics Scheduler::metrics() const {
  const auto& c = *counters_;
  SchedulerMetrics m;
  m.rounds = c.rounds;
  m.claimed = c.claimed;
  m.runs_succeeded = c.runs_succeeded;
  m.runs_failed = c.runs_failed;
  m.runs_timed_out = c.runs_timed_out;
  m.retries = c.retries;
  m.duplicate_slots = c.duplicate_slots;
  m.stale_claims = c.stale_claims;
  m.slots_skipped = c.slots_skipped;
  m.leases_expired = c.leases_expired;
  m.reminders_sent = c.reminders_sent;
  m.storage_errors = c.storage_errors;
  m.active_runs = c.active_runs;
  m.bounds.assign(kHistogramBounds.begin(), kHistogramBounds.end());
  m.lateness = c.lateness.numbers();
  for (std::size_t t = 0; t < kTaskTypes; ++t)
    for (std::size_t o = 0; o < 2; ++o) {
      auto h = c.durations[t][o].numbers();
      if (h.count == 0) continue;
      m.run_durations.push_back(
          RunDurations{static_cast<TaskType>(t), o == 0 ? "completed" : "failed", std::move(h)});
    }
  return m;
}

}  // namespace task
