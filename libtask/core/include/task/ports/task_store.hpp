#pragma once
/// The TaskStore role: tasks and their executions — inserts (with the task quota), reads,
/// listings and the one read-modify-write of a task (`modify_task`). Its consumers: TaskService
/// (tasks, runs), the account events (cancelling a user's tasks), the scheduler (through
/// SchedulerStore), the backup executor and task-cli. Every method that writes more than one row
/// does it in one transaction. Backends throw `task::Unavailable` when storage cannot be reached,
/// and nothing else for infrastructure failures. The whole storage port: repository.hpp.
///
/// Ownership: the storage object is shared (std::shared_ptr) by the service, the scheduler and
/// the event relay; every result is a copy the caller owns (no reference into storage escapes a
/// call); string_view and reference arguments are read during the call only.
/// Thread-safety: every method may be called from any number of threads at once (task::memory:
/// one mutex, so a callback must not call back into the repository; task::store: a pooled
/// connection per call). The callback of `modify_task` is used during the call only and may
/// run more than once (retries): it must be pure.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "task/core/errors.hpp"
#include "task/domain/model.hpp"

namespace task {

/// Filters and page of a task listing (docs/api.md, list tasks). All filters are AND-ed.
struct TaskQuery {
  std::string user_id;
  std::optional<TaskStatus> status;
  std::optional<TaskType> task_type;
  std::optional<Priority> priority;
  std::vector<std::string> tags;        ///< every tag must be present
  std::optional<Timestamp> due_before;  ///< due_date < due_before
  std::optional<Timestamp> due_after;   ///< due_date > due_after
  std::optional<std::string> q;         ///< case-insensitive substring of name
  int limit = 100;
  int offset = 0;
  /// Keyset position: only rows strictly after (created_at desc, id desc) this one.
  struct After {
    Timestamp created_at;
    std::int64_t id;
  };
  std::optional<After> after;
};

/// One page of tasks plus the number of rows matching the filters (ignoring limit/offset/after).
struct TaskPage {
  std::vector<Task> tasks;
  std::int64_t total = 0;
};

/// One page of executions, newest `started_at` first (ties: id desc), plus the total.
struct ExecutionPage {
  std::vector<Execution> executions;
  std::int64_t total = 0;
};

/// What one atomic write stores: the task row (when set), execution rows (inserted or updated by
/// execution_id), completed occurrences of a recurring todo (inserted), and outbox events.
struct Change {
  std::optional<Task> task;
  std::vector<Execution> executions;
  std::vector<Event> events;
  std::vector<Completion> completions;
};

/// Tasks and executions.
class TaskStore {
 public:
  virtual ~TaskStore() = default;

  /// Inserts a new task (assigning `id`, `version` = 1) and its events in one transaction.
  /// A task_id that is already stored throws Conflict and writes nothing.
  virtual Task insert_task(const Task& task, const std::vector<Event>& events) = 0;
  /// insert_task under the task quota: inserts only while `task.user_id` has fewer than
  /// `max_tasks` non-deleted tasks, else throws LimitExceeded("tasks", max_tasks) and writes
  /// nothing. The count and the insert are atomic with respect to other quota inserts of that
  /// user, so concurrent creates never exceed the quota.
  virtual Task insert_task_within(const Task& task, const std::vector<Event>& events,
                                  std::int64_t max_tasks) = 0;
  /// The task with this task_id, deleted or not; nullopt when there is none.
  virtual std::optional<Task> find_task(std::string_view task_id) = 0;
  /// Non-deleted tasks of `query.user_id` matching the filters, created_at desc, id desc.
  virtual TaskPage list_tasks(const TaskQuery& query) = 0;

  /// Read-modify-write of one task under a row lock, in one transaction: reads the current row
  /// (deleted or not), calls `fn`, and stores what it returns with `version` + 1 (and
  /// `updated_at` as `fn` set it). `fn` returns nullopt to write nothing; it may throw, which
  /// rolls back. Returns what was written (nullopt when nothing was). Throws NotFound("task", id)
  /// when no row has this task_id. `fn` may run more than once (retries) and must be pure.
  /// An execution whose (task_id, scheduled_for) slot is already stored under another
  /// execution_id throws Conflict, and nothing of the change is written.
  virtual std::optional<Change> modify_task(
      std::string_view task_id, const std::function<std::optional<Change>(const Task&)>& fn) = 0;

  virtual std::optional<Execution> find_execution(std::string_view execution_id) = 0;
  virtual ExecutionPage list_executions(std::string_view task_id, int limit, int offset) = 0;
  /// Executions of a user with started_at >= since (the daily execution quota).
  virtual std::int64_t count_executions_since(std::string_view user_id, Timestamp since) = 0;
  /// The completed occurrences of a recurring todo (written through Change::completions), newest
  /// `completed_at` first (ties: the later insert first), at most `limit`.
  virtual std::vector<Completion> list_completions(std::string_view task_id, int limit) = 0;
};

}  // namespace task
