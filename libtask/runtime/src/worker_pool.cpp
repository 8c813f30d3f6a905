#include "task/runtime/worker_pool.hpp"

#include <algorithm>

#include "task/runtime/log.hpp"

namespace task::runtime {

WorkerPool::WorkerPool(std::size_t size, std::size_t capacity)
    : capacity_(std::max(capacity, size)) {
  threads_.reserve(size);
  for (std::size_t i = 0; i < size; ++i)
    threads_.emplace_back([this] { work(); });
}

WorkerPool::~WorkerPool() {
  shutdown();
}

bool WorkerPool::try_admit() {
  std::lock_guard lock(mutex_);
  if (stopping_ || admitted_ >= capacity_) return false;
  ++admitted_;
  return true;
}

void WorkerPool::cancel_admission() {
  std::lock_guard lock(mutex_);
  if (admitted_ > 0) --admitted_;
}

void WorkerPool::submit_admitted(std::function<void()> job) {
  {
    std::lock_guard lock(mutex_);
    jobs_.push_back(std::move(job));
  }
  cv_.notify_one();
}

std::size_t WorkerPool::busy() const {
  std::lock_guard lock(mutex_);
  return admitted_;
}

void WorkerPool::work() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping and drained
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    try {
      job();
    } catch (const std::exception& e) {
      log_line(LogLevel::error, "worker job failed", {{"error", e.what()}});
    } catch (...) {
      log_line(LogLevel::error, "worker job failed", {{"error", "non-standard exception"}});
    }
    std::lock_guard lock(mutex_);
    --admitted_;
  }
}

void WorkerPool::shutdown() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

}  // namespace task::runtime
