#pragma once
/// The task status machine and the update rule (docs/api.md §9). Pure functions.
///
/// Ownership: arguments are read during the call and never kept; results are values the caller
/// owns. Thread-safety: pure functions without shared state; safe from any number of threads.
#include <optional>
#include <string>
#include <vector>

#include "task/core/enums.hpp"
#include "task/domain/model.hpp"
#include "task/rules/requests.hpp"

namespace task {

/// True when a user update may move a task from `from` to `to` (§9 table). `running` and
/// `failed` are never user targets; `cancelled` is terminal; from == to is not a transition.
bool can_transition(TaskStatus from, TaskStatus to);

/// True when a manual run may start from this status (pending, scheduled, paused, failed,
/// completed).
bool is_executable(TaskStatus status);

/// A status move and why it happened.
struct StatusChange {
  TaskStatus from;
  TaskStatus to;
  std::string reason;  ///< "user_update", "schedule_set", "schedule_cleared", "execution_..."
};

/// The result of applying an update: the new task (version and updated_at left to storage /
/// set to `now` only when something changed), the names of the fields that changed (empty =
/// no change, publish nothing) and the status move, if any.
struct UpdateResult {
  Task task;
  std::vector<std::string> updated_fields;
  std::optional<StatusChange> status_change;
  /// Set when completing a recurring todo recorded an occurrence (docs/api.md §16) instead of
  /// closing it, or closed it at the end of its recurrence; `task.due_date` is the next one.
  std::optional<Completion> completion;
};

/// Applies a validated patch at `now`: re-validates config against the task's type, recomputes
/// next_run_time when the schedule changes, applies the §9 status rules (completing sets
/// is_completed/completed_at, reopening clears them, a schedule set on a pending task makes it
/// scheduled, clearing it makes a scheduled task pending). Throws Conflict for a transition the
/// table forbids and ValidationError for invalid config.
UpdateResult apply_update(const Task& task, const UpdateTaskRequest& patch, Timestamp now);

/// The ETag of a task: `"<version>"` (a strong quoted entity tag).
std::string etag_of(const Task& task);

/// True when an `If-Match` header value matches `etag` (`*`, or one of a comma-separated list;
/// a weak `W/` prefix is ignored).
bool if_match_matches(std::string_view if_match, std::string_view etag);

}  // namespace task
