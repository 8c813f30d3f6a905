#pragma once
/// One way to run an executor, for manual runs (TaskService::finish_execution) and scheduled runs
/// (Scheduler) alike: the task type's executor from the registry, its per-type timeout, the
/// failure codes PROVIDER_NOT_CONFIGURED / EXECUTOR_EXCEPTION / EXECUTION_TIMEOUT, and the retry
/// policy of `config.retry`. Pure values and one synchronous call: no thread is started.
///
/// Timeouts are enforced without a watching thread: the executor runs on the calling thread with
/// the run's deadline set (task/core/run_deadline.hpp), and every outbound HTTP call shortens its
/// own connect/read timeouts to the time left, so a provider that never answers ends the call
/// when the run's time is up. An executor that blocks on something else must check
/// `task::deadline::remaining()` itself. A result that arrives after the timeout is discarded.
///
/// Ownership: the registry and the RunContext are borrowed for the call only; the RunOutcome is
/// returned by value. Thread-safety: safe from any number of threads at once (as safe as the
/// executors it calls, which must be).
#include <chrono>
#include <map>

#include "task/ports/clock.hpp"
#include "task/ports/executor.hpp"

namespace task {

/// Per-type run timeouts.
struct RunTimeouts {
  Micros default_timeout = std::chrono::seconds(60);  ///< a type not listed and not below
  /// Overrides per type. Built in without an entry: data_backup 5 min; custom (webhook) its
  /// `config.timeout_ms` (1–60000, default 10000) + 5 s.
  std::map<TaskType, Micros> per_type;

  /// The timeout of a type (custom: the largest a webhook may ask for, 65 s).
  Micros for_type(TaskType type) const;
  /// The timeout of one task: its type's, or for a webhook (custom) its timeout_ms + 5 s.
  Micros for_task(const Task& task) const;
};

/// The retry policy of `config.retry` = {max_attempts 1–10, backoff_seconds 0–86400 (default
/// 60), exponential}: attempts of the same slot inside one execution row.
struct RetryPolicy {
  int max_attempts = 1;
  Micros backoff = std::chrono::seconds(60);
  bool exponential = false;

  /// The policy a task's config asks for (absent or malformed fields keep the defaults).
  static RetryPolicy of(const Task& task);
  /// The wait before attempt `attempt` (2, 3, ...).
  Micros backoff_before(int attempt) const;
  /// The time budget of a whole run: every attempt's timeout plus every backoff.
  Micros budget(Micros attempt_timeout) const;
};

/// Runs `ctx.task`'s executor once on this thread under `timeout`. Never throws: no executor →
/// PROVIDER_NOT_CONFIGURED; an exception → EXECUTOR_EXCEPTION; not finished within `timeout` →
/// EXECUTION_TIMEOUT (details.timeout_ms).
RunOutcome run_executor(const ExecutorRegistry& executors, const RunContext& ctx, Micros timeout);

/// True for the outcome of an attempt stopped by its timeout.
bool is_timeout(const RunOutcome& outcome);

}  // namespace task
