#pragma once
/// The scheduler (API.md §13): claims due tasks through the repository (lease + replica id), runs
/// them on a bounded worker pool with a per-type timeout and an optional retry policy, records
/// each run as a `scheduled` execution of its slot, advances next_run_time by the schedule's
/// misfire rules, recovers runs whose worker died, and fires reminders once. No I/O of its own:
/// threads and condition variables only; storage, executors and notifications are ports.
///
///   task::Scheduler scheduler(ports, options);
///   scheduler.start();          // background loop + worker pool
///   ...; scheduler.notify();    // after a write that may change what is due
///   scheduler.stop();
/// Tests drive it with `step(now)` and a ManualClock instead of start().
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "task/ports/clock.hpp"
#include "task/ports/collaborators.hpp"
#include "task/ports/executor.hpp"
#include "task/ports/id_generator.hpp"
#include "task/ports/scheduler_store.hpp"

namespace task {

/// Tunables of the scheduler.
struct SchedulerOptions {
  std::string replica_id;   ///< lease owner; empty = "scheduler-" + a random id
  std::size_t workers = 4;  ///< worker pool size (TASK_WORKERS)
  /// Started runs that may wait for a free worker, beyond the workers themselves. 0 = adaptive:
  /// the larger of workers and batch_size while runs take under 50 ms on average, else as many
  /// as workers. Claims stop while workers + queue runs are in flight; a run that waited longer
  /// than half the lease margin renews its lease before it executes.
  std::size_t queue = 0;
  int batch_size = 128;  ///< most tasks claimed (and started in one transaction) per round
  Micros claim_lease = std::chrono::seconds(30);   ///< lease on a lost run while it is recovered
  Micros lease_margin = std::chrono::seconds(15);  ///< added to a run's time budget for its lease
  Micros max_sleep = std::chrono::seconds(1);      ///< safety-net cap on the loop's sleep
  Micros busy_retry = std::chrono::milliseconds(50);  ///< sleep when due tasks are all leased
  Micros default_timeout = std::chrono::seconds(60);  ///< per-run timeout of a type not listed
  std::map<TaskType, Micros> timeouts;  ///< per-type run timeouts (defaults: see scheduler.cpp)
  int reminder_batch = 100;             ///< most reminders fired per round
  bool reminders = true;                ///< fire reminders in this process
};

/// The ports the scheduler works over. `notifier` may be null (reminders then only publish the
/// event). `sleep` waits between retry attempts; null = a real wait that stop() interrupts
/// (tests pass one that advances a ManualClock).
struct SchedulerPorts {
  std::shared_ptr<SchedulerStore> repository;  ///< task rows and due work (SchedulerStore)
  std::shared_ptr<Clock> clock;
  std::shared_ptr<IdGenerator> ids;
  std::shared_ptr<ExecutorRegistry> executors;
  std::shared_ptr<Notifier> notifier;
  std::function<void(Micros)> sleep;
};

/// Counters of the scheduler, for /metrics and /api/v1/service/stats.
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
  std::int64_t active_runs = 0;      ///< runs in progress now
  /// Lateness (start of a run − its slot) histogram: upper bounds in seconds, cumulative
  /// counts per bound (Prometheus style), plus sum and count.
  std::vector<double> lateness_bounds;
  std::vector<std::int64_t> lateness_cumulative;
  double lateness_sum_seconds = 0;
  std::int64_t lateness_count = 0;
};

/// The Prometheus text exposition of the metrics (`task_scheduler_*` families).
std::string to_prometheus(const SchedulerMetrics& m);

/// A fixed-size thread pool with a bounded queue.
class WorkerPool {
 public:
  /// Starts `threads` workers (at least 1); at most `queue_limit` jobs wait (0 = `threads`).
  explicit WorkerPool(std::size_t threads, std::size_t queue_limit = 0);
  /// Finishes the queued jobs, then joins.
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;
  /// Queues a job; false when the queue is full.
  bool submit(std::function<void()> job);
  /// Workers that are neither running nor assigned a job.
  std::size_t idle() const;
  /// Number of threads.
  std::size_t size() const { return threads_.size(); }
  /// Blocks until no job is queued or running.
  void wait_idle();

 private:
  void work();
  mutable std::mutex mutex_;
  std::condition_variable wake_, idle_cv_;
  std::deque<std::function<void()>> queue_;
  std::size_t busy_ = 0;
  std::size_t queue_limit_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

/// What one synchronous round did (step()).
struct StepReport {
  std::int64_t claimed = 0;
  std::int64_t runs = 0;       ///< executions recorded (finished or recovered)
  std::int64_t reminders = 0;  ///< reminders fired
};

/// The scheduler. Thread-safe; one per process (several processes coordinate through storage).
class Scheduler {
 public:
  Scheduler(SchedulerPorts ports, SchedulerOptions options = {});
  /// Stops (see stop()).
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  /// Starts the background loop and the worker pool.
  void start();
  /// Stops claiming, waits for the runs in progress to finish, joins the threads. Idempotent.
  void stop();
  /// True between start() and stop().
  bool running() const { return started_.load(); }
  /// Wakes the loop now (a task was created, rescheduled or resumed).
  void notify();

  /// One round on the calling thread at `now`: fires due reminders, claims due tasks and runs
  /// each to completion (retries included). For tests and single-threaded embedding.
  StepReport step(Timestamp now);

  /// Runs one due task now on the calling thread, exactly as the loop would (the internal
  /// `POST /api/v1/scheduler/execute/{id}`): starts its due slot under this scheduler's lease with
  /// the misfire policy, executes it (timeout, retries) and records the outcome. Works whether or
  /// not start() was called. Returns the recorded execution. Throws NotFound for an unknown or
  /// deleted task; Conflict when it is not scheduled and due, is leased by another replica, or
  /// its due slot was skipped by the misfire policy (next_run_time moves on).
  Execution run_due(std::string_view task_id);

  /// A snapshot of the counters.
  SchedulerMetrics metrics() const;
  /// The lease owner name of this scheduler.
  const std::string& replica_id() const { return options_.replica_id; }
  /// The run timeout of a task type.
  Micros timeout_for(TaskType type) const;
  /// The run timeout of one task: its type's, or for a webhook (custom) its timeout_ms + 5 s.
  Micros run_timeout(const Task& task) const;

 private:
  struct Counters;
  struct Claim;
  struct SlotPlan;
  struct SlotStart;
  struct Finished;
  /// A started run waiting in the local queue for a worker (the loop renews its lease). Defined
  /// here: it is the value type of a std::map member, which needs a complete type.
  struct Queued {
    Timestamp lease_from{};
    Micros budget{0};
    bool lost = false;  ///< the lease went to another replica: do not execute
  };
  void loop();
  void finisher();
  std::int64_t fire_reminders(Timestamp now);
  bool fire_reminder(const Task& task, Timestamp now);
  /// Claims runs whose worker died (lease expired) for recovery.
  std::vector<Task> claim_lost(Timestamp now, int limit);
  /// Hands each lost run's recovery and each started run to the worker pool.
  void dispatch(std::vector<Task> lost, std::vector<Claim> claims);
  /// A worker's part of a run: renew the lease if it waited, execute, queue the outcome.
  void run(Claim claim);
  bool recover(const Task& claimed, Timestamp now);
  SlotPlan plan_slot(const Task& claimed, Timestamp now) const;
  std::optional<Change> slot_change(const SlotPlan& plan, const Task& cur, Timestamp now,
                                    SlotStart& out) const;
  /// Locks up to `limit` due tasks and starts their slots in one transaction; `locked` = how
  /// many were locked (started, skipped or let go).
  std::vector<Claim> begin(Timestamp now, int limit, std::size_t& locked);
  std::optional<Claim> begin_one(const std::string& task_id, const SlotPlan& plan, Timestamp now);
  void count_start(const SlotStart& start);
  bool renew_lease(Claim& claim);
  /// Renews, in one transaction, the leases of started runs that have waited in the local queue
  /// for half the lease margin; marks those whose lease was lost meanwhile.
  void renew_queued();
  RunOutcome execute(Claim& claim);
  RunOutcome attempt(const Claim& claim);
  void finish(std::vector<Finished>& done);
  void wait_for(Micros d);
  void pause(Micros d);
  std::size_t queue_capacity() const;
  std::size_t queue_limit() const;
  void record_lateness(Micros late);

  SchedulerPorts ports_;
  SchedulerOptions options_;
  std::unique_ptr<Counters> counters_;
  std::unique_ptr<WorkerPool> pool_;
  std::thread thread_;
  std::atomic<bool> started_{false};
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable stop_cv_;  ///< retry backoffs wait on this: only stop() ends them early
  bool notified_ = false;
  std::atomic<int> in_flight_{0};  ///< runs started (or recoveries) not yet written back
  static constexpr Micros kShortRun = std::chrono::milliseconds(50);
  /// Moving mean of execute() durations; starts "slow" so the first batch does not queue more
  /// runs than workers before anything is known.
  std::atomic<std::int64_t> run_micros_ewma_{kShortRun.count() + 1};
  std::mutex queued_mutex_;
  std::map<std::string, Queued, std::less<>> queued_;  ///< started runs waiting for a worker
  std::thread finisher_;  ///< writes finished runs' outcomes in batches
  std::mutex finished_mutex_;
  std::condition_variable finished_cv_;
  std::vector<Finished> finished_;
  bool finisher_stop_ = false;
};

}  // namespace task
