#pragma once
/// The scheduler's decisions (docs/api.md §13): which due slot of a task runs (misfire policy),
/// starting it under this replica's lease as a `scheduled` execution, running it through
/// `run_executor` (per-type timeout, `RetryPolicy`), applying its outcome, advancing
/// next_run_time, recovering runs whose worker died, and firing reminders once. It starts no
/// thread and holds no lock: every operation is a synchronous call over the ports, safe to call
/// from several threads at once (its counters are atomics).
///
/// Who calls it:
///   - embedders and tests: `step(now)` runs one whole round on the calling thread;
///   - task::runtime::SchedulerLoop (libtask/runtime) runs the same pieces on its loop thread,
///     the runtime's one worker pool and a finisher thread (docs/scheduler.md);
///   - the internal execute endpoint: `run_due(task_id)`.
///
///   task::Scheduler scheduler(ports, options);
///   scheduler.step(clock->now());  // reminders, lost runs, due slots: run and recorded
///
/// Ownership: a Scheduler shares its ports (storage, clock, ids, executors, notifier) through
/// shared_ptr and owns nothing else but its counters; ScheduledRun, StepResult and
/// SchedulerMetrics are values. Thread-safety: every member may be called from any thread, also
/// at once (the runtime does); two concurrent `step` calls on one store start each slot once
/// (the storage's leases decide), but a host normally drives one round at a time.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "task/core/trace_context.hpp"
#include "task/ports/clock.hpp"
#include "task/ports/collaborators.hpp"
#include "task/ports/executor.hpp"
#include "task/ports/id_generator.hpp"
#include "task/ports/scheduler_store.hpp"
#include "task/service/run_executor.hpp"

namespace task {

/// Tunables of the scheduler's decisions (the loop's own live in task::runtime).
struct SchedulerOptions {
  std::string replica_id;  ///< lease owner; empty = "scheduler-" + a random id
  int batch_size = 128;    ///< most tasks claimed (and started in one transaction) per round
  Micros claim_lease = std::chrono::seconds(30);   ///< lease on a lost run while it is recovered
  Micros lease_margin = std::chrono::seconds(15);  ///< added to a run's time budget for its lease
  RunTimeouts timeouts;                            ///< per-type run timeouts
  int reminder_batch = 100;                        ///< most reminders fired per round
  bool reminders = true;                           ///< fire reminders in this process
  /// Fair turns and per-user concurrency of the claim (TASK_USER_CONCURRENCY).
  ClaimFairness fairness;
};

/// The ports the scheduler works over. `notifier` may be null (reminders then only publish the
/// event). `sleep` waits between retry attempts; null = a plain sleep of the calling thread (the
/// runtime's loop passes one that its stop() ends early; tests pass one that advances a
/// ManualClock).
struct SchedulerPorts {
  std::shared_ptr<SchedulerStore> repository;  ///< task rows and due work (SchedulerStore)
  std::shared_ptr<Clock> clock;
  std::shared_ptr<IdGenerator> ids;
  std::shared_ptr<ExecutorRegistry> executors;
  std::shared_ptr<Notifier> notifier;
  std::function<void(Micros)> sleep;
};

/// A histogram as numbers: cumulative counts per upper bound (seconds), plus sum and count.
struct HistogramNumbers {
  std::vector<std::int64_t> cumulative;  ///< one per bound of the owning struct
  double sum_seconds = 0;
  std::int64_t count = 0;
};

/// Run durations of one task type and outcome ("completed" or "failed").
struct RunDurations {
  TaskType task_type{};
  std::string outcome;
  HistogramNumbers histogram;
};

/// The scheduler's numbers, for /metrics and /api/v1/service/stats (task-server renders them).
struct SchedulerMetrics {
  std::int64_t rounds = 0;           ///< claim rounds done
  std::int64_t claimed = 0;          ///< tasks claimed
  std::int64_t runs_succeeded = 0;   ///< scheduled runs recorded completed
  std::int64_t runs_failed = 0;      ///< scheduled runs recorded failed (incl. timeouts)
  std::int64_t runs_timed_out = 0;   ///< attempts stopped by the per-type timeout
  std::int64_t retries = 0;          ///< extra attempts of a slot (retry policy)
  std::int64_t duplicate_slots = 0;  ///< slots found already executed and skipped
  std::int64_t stale_claims = 0;     ///< claims whose task changed before the run started
  std::int64_t slots_skipped = 0;    ///< due slots not run (misfire skip / run_once catch-up)
  std::int64_t leases_expired = 0;   ///< runs recovered after their worker's lease expired
  std::int64_t reminders_sent = 0;   ///< reminders fired
  std::int64_t storage_errors = 0;   ///< rounds or runs that hit Unavailable
  std::int64_t active_runs = 0;      ///< runs executing now
  /// Upper bounds (seconds) of both histograms below.
  std::vector<double> bounds;
  /// Lateness: start of a run − its slot.
  HistogramNumbers lateness;
  /// Recorded duration of the scheduled runs this scheduler finished, per task type and outcome
  /// (only the pairs seen so far).
  std::vector<RunDurations> run_durations;
};

/// A started run: the task as stored (running), its execution row, retry policy and lease.
struct ScheduledRun {
  Task task;
  Execution execution;
  Timestamp slot{};
  RetryPolicy retry;
  Micros budget{0};        ///< the run's time budget (attempts, backoffs, margin): its lease length
  Timestamp lease_from{};  ///< when the lease was last set to a whole budget
  trace::TraceContext trace;  ///< the run's trace: its start, attempts and outcome events share it
};

/// A run that has executed and waits for its outcome to be written (finish()).
struct ScheduledOutcome {
  ScheduledRun run;
  RunOutcome outcome;
  std::optional<Execution> recorded;  ///< the execution as written by finish()
};

/// A run whose lease should be extended to `budget` from now (renew_leases()).
struct LeaseRenewal {
  std::string task_id;
  Micros budget{0};
};

/// What one synchronous round did (step()).
struct StepReport {
  std::int64_t claimed = 0;
  std::int64_t runs = 0;       ///< executions recorded (finished or recovered)
  std::int64_t reminders = 0;  ///< reminders fired
};

/// The scheduler's logic. Thread-safe; one per process (several processes coordinate through
/// storage only).
class Scheduler {
 public:
  Scheduler(SchedulerPorts ports, SchedulerOptions options = {});
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  /// One round on the calling thread at `now`: fires due reminders, recovers lost runs, starts
  /// the due slots and runs each to completion (retries included), then writes the outcomes in
  /// one transaction. For tests and single-threaded embedding.
  StepReport step(Timestamp now);

  /// Runs one due task now on the calling thread, exactly as a round would (the internal
  /// `POST /api/v1/scheduler/execute/{id}`): starts its due slot under this scheduler's lease with
  /// the misfire policy, executes it (timeout, retries) and records the outcome. Returns the
  /// recorded execution. Throws NotFound for an unknown or deleted task; Conflict when it is not
  /// scheduled and due, is leased by another replica, or its due slot was skipped by the misfire
  /// policy (next_run_time moves on).
  Execution run_due(std::string_view task_id);

  // --- The pieces of a round, for a loop that spreads them over threads (task::runtime) ---

  /// Fires the due reminders (at most reminder_batch); returns how many fired.
  std::int64_t fire_reminders(Timestamp now);
  /// Claims up to `limit` runs whose worker died (lease expired) for recovery.
  std::vector<Task> claim_lost(Timestamp now, int limit);
  /// Closes a claimed lost run as failed (WORKER_LOST); true when a run row was closed.
  bool recover(const Task& claimed, Timestamp now);
  /// Locks up to `limit` due tasks and starts (or skips) their slots in one transaction; returns
  /// the started runs. `locked` = how many tasks were locked (started, skipped or let go).
  std::vector<ScheduledRun> start_due(Timestamp now, int limit, std::size_t& locked);
  /// Before executing a run that waited: renews its lease to a whole budget when half the lease
  /// margin has passed since it was set. False when the lease went to another replica (the run
  /// must not execute).
  bool renew_lease(ScheduledRun& run);
  /// Renews, in one transaction, the leases of started runs that still wait for a worker;
  /// returns the ids whose lease is still ours (the others were taken over: drop them).
  std::vector<std::string> renew_leases(const std::vector<LeaseRenewal>& runs);
  /// Executes a started run: attempts per its RetryPolicy through run_executor, with backoff
  /// waits through the `sleep` port.
  RunOutcome execute(ScheduledRun& run);
  /// Writes the outcomes in one transaction (only where the lease is still ours).
  void finish(std::vector<ScheduledOutcome>& done);
  /// While set, execute() starts no further attempt after a backoff (a stopping loop).
  void set_retries_cancelled(bool cancelled) { retries_cancelled_ = cancelled; }
  /// Counts a storage error met by the caller while driving the pieces.
  void count_storage_error();
  /// Counts a started run dropped before it executed (its lease went to another replica).
  void count_stale_claim();

  /// A snapshot of the numbers.
  SchedulerMetrics metrics() const;
  const SchedulerOptions& options() const { return options_; }
  /// The lease owner name of this scheduler.
  const std::string& replica_id() const { return options_.replica_id; }
  /// The run timeout of a task type.
  Micros timeout_for(TaskType type) const { return options_.timeouts.for_type(type); }
  /// The run timeout of one task: its type's, or for a webhook (custom) its timeout_ms + 5 s.
  Micros run_timeout(const Task& task) const { return options_.timeouts.for_task(task); }

 private:
  struct SlotPlan;
  struct SlotStart;
  struct Counters;
  bool fire_reminder(const Task& task, Timestamp now);
  SlotPlan plan_slot(const Task& claimed, Timestamp now) const;
  std::optional<Change> slot_change(const SlotPlan& plan, const Task& cur, Timestamp now,
                                    SlotStart& out) const;
  std::optional<ScheduledRun> start_one(const std::string& task_id, const SlotPlan& plan,
                                        Timestamp now);
  void count_start(const SlotStart& start);
  void record_lateness(Micros late);
  void record_duration(TaskType type, bool success, std::int64_t duration_ms);

  SchedulerPorts ports_;
  SchedulerOptions options_;
  std::shared_ptr<Counters> counters_;
  std::atomic<bool> retries_cancelled_{false};
};

}  // namespace task
