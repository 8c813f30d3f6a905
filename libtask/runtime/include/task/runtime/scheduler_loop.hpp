#pragma once
/// The scheduler's threads: task::Scheduler (libtask/core) decides, this runs. A loop thread
/// claims and starts batches of due slots, the runtime's one WorkerPool executes them (shared
/// with manual runs), a finisher thread writes their outcomes in batches, and the loop renews
/// the leases of started runs still waiting for a worker. No thread per run: a run's timeout is
/// enforced on its worker through the outbound calls' own timeouts (task/service/run_executor.hpp).
///
///   task::runtime::WorkerPool pool(4, 64);
///   task::runtime::SchedulerLoop loop(ports, options, pool);  // SchedulerLoopOptions: 4 workers
///   loop.start();
///   ...; loop.notify();  // after a write that may change what is due
///   loop.stop();         // no new claims; runs in progress finish and are written
///
/// Ownership: the loop owns its Scheduler, its two threads and its queue, shares the ports, and
/// borrows the WorkerPool, which must outlive it; stop() (also run by the destructor) joins the
/// threads after the runs in progress are written. Thread-safety: start, stop, notify and the
/// getters may be called from any thread; do not call stop() from a run's own thread.
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "task/ports/scheduler_store.hpp"
#include "task/runtime/worker_pool.hpp"
#include "task/service/scheduler.hpp"

namespace task::runtime {

/// Tunables of the loop.
struct SchedulerLoopOptions {
  std::size_t workers = 4;  ///< scheduled runs executing at once (TASK_WORKERS)
  /// Started runs that may wait for a free worker, beyond the workers themselves. 0 = adaptive:
  /// the larger of workers and two batches while runs take under 50 ms on average, else as many
  /// as workers. Claims stop while workers + queue runs are in flight; a run that waited longer
  /// than half the lease margin renews its lease before it executes.
  std::size_t queue = 0;
  Micros max_sleep = std::chrono::seconds(1);         ///< safety-net cap on the loop's sleep
  Micros busy_retry = std::chrono::milliseconds(50);  ///< sleep when due tasks are all leased
};

/// Runs a task::Scheduler on threads. start()/stop()/notify() are thread-safe.
class SchedulerLoop {
 public:
  /// Builds the scheduler over `ports` (a null `sleep` port becomes a wait that stop() ends) and
  /// runs its work on `pool`, which must outlive this loop.
  SchedulerLoop(SchedulerPorts ports, SchedulerOptions options, WorkerPool& pool,
                SchedulerLoopOptions loop = {});
  /// Stops (see stop()).
  ~SchedulerLoop();
  SchedulerLoop(const SchedulerLoop&) = delete;
  SchedulerLoop& operator=(const SchedulerLoop&) = delete;

  /// The decisions: step(), run_due(), metrics() work whether or not the loop runs.
  Scheduler& scheduler() { return *scheduler_; }

  /// Starts the loop and finisher threads.
  void start();
  /// Stops claiming, waits for the runs in progress to finish and their outcomes to be written,
  /// joins the threads. Idempotent.
  void stop();
  /// True between start() and stop().
  bool running() const { return started_.load(); }
  /// Wakes the loop now (a task was created, rescheduled or resumed).
  void notify();

 private:
  /// A started run waiting for a worker (the loop renews its lease).
  struct Queued {
    Timestamp lease_from{};
    Micros budget{0};
    bool lost = false;  ///< the lease went to another replica: do not execute
  };
  void loop();
  void finisher();
  void dispatch(std::vector<Task> lost, std::vector<ScheduledRun> runs);
  void run(ScheduledRun run);
  void renew_queued();
  void wait_for(Micros d);
  void pause(Micros d);
  void done_in_flight(int n);
  std::size_t queue_capacity() const;
  std::size_t queue_limit() const;

  std::shared_ptr<SchedulerStore> repository_;
  std::shared_ptr<Clock> clock_;
  std::unique_ptr<Scheduler> scheduler_;
  WorkerPool& pool_;
  SchedulerLoopOptions options_;
  std::thread thread_;
  std::thread finisher_;
  std::atomic<bool> started_{false};
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable stop_cv_;  ///< retry backoffs wait on this: only stop() ends them early
  std::condition_variable idle_cv_;  ///< in_flight_ reached 0
  bool notified_ = false;
  int in_flight_ = 0;  ///< runs started (or recoveries) not yet written back; under mutex_
  static constexpr Micros kShortRun = std::chrono::milliseconds(50);
  /// Moving mean of execute() durations; starts "slow" so the first batch does not queue more
  /// runs than workers before anything is known.
  std::atomic<std::int64_t> run_micros_ewma_{kShortRun.count() + 1};
  std::mutex queued_mutex_;
  std::map<std::string, Queued, std::less<>> queued_;
  std::mutex finished_mutex_;
  std::condition_variable finished_cv_;
  std::vector<ScheduledOutcome> finished_;
  bool finisher_stop_ = false;
};

}  // namespace task::runtime
