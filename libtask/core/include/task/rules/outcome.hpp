#pragma once
/// The execution outcome rule (docs/api.md §10): what a finished run does to its execution row and
/// its task. Pure, apart from drawing event ids.
///
/// Ownership: apply_outcome copies the task and execution into the result it returns; it keeps no
/// reference to its arguments (the IdGenerator is used during the call only). Thread-safety: pure
/// apart from drawing ids from `ids`, which must itself be safe to share (the default generators
/// are).
#include <optional>
#include <vector>

#include "task/domain/model.hpp"
#include "task/ports/executor.hpp"
#include "task/ports/id_generator.hpp"
#include "task/rules/status.hpp"

namespace task {

/// The finished execution, the updated task, and the events to store with them.
struct OutcomeResult {
  Task task;
  Execution execution;
  std::optional<StatusChange> status_change;
  std::vector<Event> events;  ///< task.executed, then task.status_changed when it moved
};

/// Applies `outcome` of the `running` execution to `task` (as stored at completion) at `now`.
/// success: execution completed, credits_consumed = credits_per_run, success_count+1,
/// last_success_time, last_result, total_credits_consumed; failure: execution failed with
/// error_message/error_details, credits 0, failure_count+1, last_error. Both: run_count+1,
/// last_run_time, duration_ms. Task status: a task cancelled meanwhile stays cancelled; else, with
/// a live schedule (schedule and next_run_time set) it becomes `scheduled` (or `paused` again
/// when `status_before_run` was paused); without one `completed` on success (is_completed,
/// completed_at set) or `failed` on failure — except a recurring todo (`recurrence` set), which
/// returns to `status_before_run`: a manual run is not a completion (docs/api.md, "Recurring
/// todos").
OutcomeResult apply_outcome(const Task& task, const Execution& running, const RunOutcome& outcome,
                            TaskStatus status_before_run, Timestamp now, IdGenerator& ids);

}  // namespace task
