// run_executor (docs/scheduler.md "Timeouts"): the one path from a run to its executor.
#include "task/service/run_executor.hpp"

#include <algorithm>
#include <exception>
#include <string>

#include "task/core/run_deadline.hpp"

namespace task {

Micros RunTimeouts::for_type(TaskType type) const {
  if (const auto it = per_type.find(type); it != per_type.end()) return it->second;
  if (type == TaskType::data_backup) return std::chrono::minutes(5);
  if (type == TaskType::custom) return std::chrono::seconds(65);  // webhook timeout_ms max 60 s
  return default_timeout;
}

Micros RunTimeouts::for_task(const Task& task) const {
  // A webhook bounds itself with config.timeout_ms (docs/api.md §10b): allow that plus 5 s.
  if (task.task_type == TaskType::custom && !per_type.contains(TaskType::custom)) {
    if (const auto* v = task.config.if_contains("timeout_ms"); v && v->is_int64())
      return std::chrono::milliseconds(std::clamp<std::int64_t>(v->get_int64(), 1, 60000)) +
             std::chrono::seconds(5);
    return std::chrono::seconds(15);  // the webhook default of 10 s, plus 5 s
  }
  return for_type(task.task_type);
}

RetryPolicy RetryPolicy::of(const Task& task) {
  RetryPolicy p;
  const auto* r = task.config.if_contains("retry");
  if (!r || !r->is_object()) return p;
  const auto& o = r->get_object();
  if (const auto* v = o.if_contains("max_attempts"); v && v->is_int64())
    p.max_attempts = static_cast<int>(std::clamp<std::int64_t>(v->get_int64(), 1, 10));
  if (const auto* v = o.if_contains("backoff_seconds")) {
    const double s = v->is_int64() ? double(v->get_int64()) : v->is_double() ? v->get_double() : 60;
    p.backoff = Micros{static_cast<std::int64_t>(std::clamp(s, 0.0, 86400.0) * 1e6)};
  }
  if (const auto* v = o.if_contains("exponential"); v && v->is_bool())
    p.exponential = v->get_bool();
  return p;
}

Micros RetryPolicy::backoff_before(int attempt) const {
  return exponential ? backoff * (std::int64_t{1} << std::clamp(attempt - 2, 0, 20)) : backoff;
}

Micros RetryPolicy::budget(Micros attempt_timeout) const {
  Micros total = attempt_timeout * max_attempts;
  for (int a = 2; a <= max_attempts; ++a)
    total += backoff_before(a);
  return total;
}

bool is_timeout(const RunOutcome& outcome) {
  if (outcome.success || !outcome.error_details.is_object()) return false;
  const auto* code = outcome.error_details.get_object().if_contains("error_code");
  return code && code->is_string() && code->get_string() == "EXECUTION_TIMEOUT";
}

RunOutcome run_executor(const ExecutorRegistry& executors, const RunContext& ctx, Micros timeout) {
  const auto it = executors.find(ctx.task.task_type);
  if (it == executors.end() || !it->second)
    return RunOutcome::fail(
        "No executor is configured for task type " + std::string(to_string(ctx.task.task_type)),
        "PROVIDER_NOT_CONFIGURED");
  const auto start = deadline::SteadyClock::now();
  RunOutcome outcome;
  {
    // Every outbound call the executor makes ends by this deadline (no watching thread).
    const deadline::Scope scope(start + timeout);
    try {
      outcome = it->second->run(ctx);
    } catch (const std::exception& ex) {
      outcome = RunOutcome::fail(std::string("Executor raised an exception: ") + ex.what(),
                                 "EXECUTOR_EXCEPTION");
    } catch (...) {
      outcome = RunOutcome::fail("Executor raised an unknown exception", "EXECUTOR_EXCEPTION");
    }
  }
  // A call cut short by the deadline comes back a moment before or after it: a failure at 95% of
  // the budget or later, and any result after it, is the timeout.
  const auto took = std::chrono::duration_cast<Micros>(deadline::SteadyClock::now() - start);
  if (took >= timeout || (!outcome.success && took * 20 >= timeout * 19)) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count();
    return RunOutcome::fail("Run timed out after " + std::to_string(ms) + " ms",
                            "EXECUTION_TIMEOUT", {{"timeout_ms", ms}});
  }
  return outcome;
}

}  // namespace task
