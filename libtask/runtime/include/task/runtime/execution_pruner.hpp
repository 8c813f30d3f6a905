#pragma once
/// Execution retention (docs/api.md §16, docs/scheduler.md "Execution retention"): a thread of
/// the scheduler's process that deletes executions older than the retention in small batches
/// (RetentionStore::prune_executions). Each tick (at start, then every `interval`) runs batches
/// of `batch` rows with `pause` between them until one deletes fewer than `batch` (nothing left)
/// or stop() is called; its own thread, so the scheduler's loop never waits for it, and short
/// transactions, so the scheduler's writes never wait long for it either.
///
///   task::runtime::ExecutionPruner pruner(repository, clock, {std::chrono::days(90)});
///   pruner.start();  ...  pruner.stop();
///
/// Ownership: shares the store and the clock; owns its thread (joined by stop() and the
/// destructor). Thread-safety: start, stop, prune_now and the counters may be called from any
/// thread.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

#include "task/ports/clock.hpp"
#include "task/ports/retention_store.hpp"

namespace task::runtime {

/// Tunables of the pruner.
struct PrunerOptions {
  /// Executions started longer ago than this are deleted (TASK_EXECUTION_RETENTION_DAYS);
  /// zero or less: keep everything (the pruner does nothing).
  Micros retention = std::chrono::hours(24 * 90);
  Micros interval = std::chrono::minutes(1);     ///< between ticks
  int batch = 1000;                              ///< rows per transaction (1..10000)
  Micros pause = std::chrono::milliseconds(20);  ///< between two batches of one tick
};

/// Deletes old executions periodically.
class ExecutionPruner {
 public:
  ExecutionPruner(std::shared_ptr<RetentionStore> store, std::shared_ptr<Clock> clock,
                  PrunerOptions options = {});
  ~ExecutionPruner();
  ExecutionPruner(const ExecutionPruner&) = delete;
  ExecutionPruner& operator=(const ExecutionPruner&) = delete;

  /// Starts the thread (its first tick runs at once). Does nothing when retention is off.
  void start();
  /// Ends the current batch's wait and joins the thread. Idempotent.
  void stop();
  bool running() const { return thread_.joinable(); }

  /// One tick on the caller's thread: batches until one is not full (or stop()); returns the
  /// rows deleted. Storage errors are counted and end the tick (the next tick tries again).
  std::int64_t prune_now();
  /// The cutoff a tick at `now` uses: now - retention, down to its UTC quarter hour (so every
  /// quarter hour is pruned whole; docs/storage.md).
  Timestamp cutoff(Timestamp now) const;

  /// Rows deleted since construction (task_executions_pruned_total).
  std::int64_t pruned_total() const { return pruned_.load(); }
  /// Ticks ended by a storage error.
  std::int64_t errors_total() const { return errors_.load(); }
  const PrunerOptions& options() const { return options_; }

 private:
  void loop();
  bool wait(Micros d);  ///< false when stopping

  std::shared_ptr<RetentionStore> store_;
  std::shared_ptr<Clock> clock_;
  PrunerOptions options_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::atomic<std::int64_t> pruned_{0};
  std::atomic<std::int64_t> errors_{0};
};

}  // namespace task::runtime
