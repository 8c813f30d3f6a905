// Execution retention: the pruner thread (task/runtime/execution_pruner.hpp).
#include "task/runtime/execution_pruner.hpp"

#include <algorithm>
#include <exception>

#include "task/runtime/log.hpp"

namespace task::runtime {

ExecutionPruner::ExecutionPruner(std::shared_ptr<RetentionStore> store,
                                 std::shared_ptr<Clock> clock, PrunerOptions options)
    : store_(std::move(store)), clock_(std::move(clock)), options_(options) {
  options_.batch = std::clamp(options_.batch, 1, RetentionStore::kMaxPruneBatch);
}

ExecutionPruner::~ExecutionPruner() {
  stop();
}

void ExecutionPruner::start() {
  if (options_.retention <= Micros{0} || thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { loop(); });
}

void ExecutionPruner::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool ExecutionPruner::wait(Micros d) {
  std::unique_lock lock(mutex_);
  cv_.wait_for(lock, std::max(d, Micros{0}), [&] { return stopping_; });
  return !stopping_;
}

Timestamp ExecutionPruner::cutoff(Timestamp now) const {
  const std::int64_t us = to_unix_micros(now - options_.retention), q = 900'000'000;
  return from_unix_micros(us - (((us % q) + q) % q));
}

std::int64_t ExecutionPruner::prune_now() {
  if (options_.retention <= Micros{0}) return 0;
  std::int64_t tick = 0;
  try {
    const Timestamp before = cutoff(clock_->now());
    while (true) {
      const std::int64_t n = store_->prune_executions(before, options_.batch);
      tick += n;
      pruned_ += n;
      if (n < options_.batch) break;
      if (!wait(options_.pause)) break;  // stopping
    }
  } catch (const std::exception& e) {
    ++errors_;
    log_line(LogLevel::warn, "execution pruning failed", {{"error", e.what()}});
  }
  return tick;
}

void ExecutionPruner::loop() {
  do {
    const auto t0 = std::chrono::steady_clock::now();
    if (const auto n = prune_now(); n > 0)
      log_line(LogLevel::info, "executions pruned",
               {{"rows", std::to_string(n)},
                {"ms", std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::steady_clock::now() - t0)
                                          .count())}});
  } while (wait(options_.interval));
}

}  // namespace task::runtime
