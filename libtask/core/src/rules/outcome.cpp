// The execution outcome rule (docs/api.md §10).
#include "task/rules/outcome.hpp"

#include <chrono>

#include "task/codec/json_numbers.hpp"
#include "task/rules/events.hpp"

namespace task {
namespace {
namespace json = boost::json;

Execution finish_execution_row(const Task& task, const Execution& running,
                               const RunOutcome& outcome, Timestamp now) {
  Execution e = running;
  e.completed_at = now;
  e.duration_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now - running.started_at).count();
  if (*e.duration_ms < 0) e.duration_ms = 0;
  e.tokens_used = outcome.tokens_used;
  e.api_calls_made = outcome.api_calls_made;
  if (outcome.success) {
    e.status = ExecutionStatus::completed;
    e.result = outcome.result;
    e.credits_consumed = task.credits_per_run;
    e.error_message.reset();
    e.error_details = nullptr;
  } else {
    e.status = ExecutionStatus::failed;
    e.result = nullptr;
    e.credits_consumed = 0;
    e.error_message = outcome.error_message.value_or("execution failed");
    e.error_details = outcome.error_details;
  }
  return e;
}

/// The status after the run (see apply_outcome).
TaskStatus status_after(const Task& task, bool success, TaskStatus before) {
  if (task.status == TaskStatus::cancelled) return TaskStatus::cancelled;
  if (task.status != TaskStatus::running) return task.status;  // not ours to move
  if (task.schedule && task.next_run_time)
    return before == TaskStatus::paused ? TaskStatus::paused : TaskStatus::scheduled;
  // A recurring todo is completed occurrence by occurrence (PUT status completed records it and
  // moves the due date); a manual run is not a completion: it returns to where it was.
  if (task.recurrence) return before;
  return success ? TaskStatus::completed : TaskStatus::failed;
}

/// The outcome as it can be stored (see apply_outcome).
RunOutcome storable_outcome(const RunOutcome& outcome) {
  if (outcome.success) {
    if (auto bad = find_unstorable(outcome.result, {"result"})) {
      RunOutcome failed = RunOutcome::fail("result not storable: " + bad->message,
                                           "RESULT_NOT_STORABLE", {{"location", bad->path}});
      failed.tokens_used = outcome.tokens_used;
      failed.api_calls_made = outcome.api_calls_made;
      return failed;
    }
    return outcome;
  }
  if (auto bad = find_unstorable(outcome.error_details, {"error_details"})) {
    // Keep the failure and its message; drop the details that cannot be stored.
    RunOutcome failed = outcome;
    json::object details{{"error_code", "ERROR_DETAILS_NOT_STORABLE"}, {"location", bad->path}};
    if (const auto* o = outcome.error_details.if_object())
      if (const auto* code = o->if_contains("error_code")) details["error_code"] = *code;
    failed.error_details = std::move(details);
    return failed;
  }
  return outcome;
}

}  // namespace

OutcomeResult apply_outcome(const Task& task, const Execution& running, const RunOutcome& given,
                            TaskStatus status_before_run, Timestamp now, IdGenerator& ids) {
  // A result no store can hold (a number beyond the double range, nesting deeper than 64) fails
  // the run with a clear error instead of being written into the task (docs/api.md).
  const RunOutcome outcome = storable_outcome(given);
  OutcomeResult r{task, finish_execution_row(task, running, outcome, now), std::nullopt, {}};
  Task& t = r.task;
  t.run_count += 1;
  t.last_run_time = now;
  if (outcome.success) {
    t.success_count += 1;
    t.last_success_time = now;
    t.last_result = outcome.result;
    t.total_credits_consumed =
        saturating_add(t.total_credits_consumed, r.execution.credits_consumed);
  } else {
    t.failure_count += 1;
    t.last_error = r.execution.error_message;
  }
  const auto to = status_after(task, outcome.success, status_before_run);
  if (to != task.status) {
    r.status_change =
        StatusChange{task.status, to, outcome.success ? "execution_completed" : "execution_failed"};
    t.status = to;
    if (to == TaskStatus::completed) {
      t.is_completed = true;
      t.completed_at = now;
    }
  }
  t.updated_at = now;
  r.events.push_back(make_executed_event(r.execution, ids.event_id()));
  if (r.status_change)
    r.events.push_back(make_status_changed_event(t, r.status_change->from, r.status_change->to,
                                                 r.status_change->reason, now, ids.event_id()));
  return r;
}

}  // namespace task
