#pragma once
/// A bounded pool of threads for task executions: `size` threads and at most `capacity` jobs
/// admitted (queued + running). Admission is a separate step so a caller can refuse work before
/// it changes any state.
///
/// Ownership: the pool owns its threads and the jobs it has queued (moved in); the destructor
/// calls shutdown(), which runs every admitted job to its end and joins the threads. Thread-safety:
/// try_admit, cancel_admission, submit_admitted and shutdown may be called from any thread; jobs
/// run on the pool's threads and must not call shutdown() of their own pool.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace task::runtime {

/// Fixed-size thread pool with a bounded admission count; drains its queue on shutdown.
class WorkerPool {
 public:
  WorkerPool(std::size_t size, std::size_t capacity);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  /// Reserves one slot; false when `capacity` jobs are already admitted or the pool is stopping.
  bool try_admit();
  /// Gives back a reserved slot that will not be used.
  void cancel_admission();
  /// Queues a job for an admitted slot (the slot is released when the job ends).
  void submit_admitted(std::function<void()> job);
  /// Finishes every queued and running job, then joins the threads. Idempotent.
  void shutdown();

  std::size_t size() const { return threads_.size(); }
  std::size_t capacity() const { return capacity_; }
  /// Jobs admitted and not finished.
  std::size_t busy() const;

 private:
  void work();
  std::size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  std::size_t admitted_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace task::runtime
