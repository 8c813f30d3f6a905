#pragma once
/// The storage port. One implementation per backend family: `task::memory` (in-process) and
/// `task::store` (SOCI: SQLite, PostgreSQL). Every method that writes more than one row does it in
/// one transaction. Backends throw `task::Unavailable` when storage cannot be reached, and nothing
/// else for infrastructure failures.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "task/core/errors.hpp"
#include "task/domain/model.hpp"

namespace task {

/// Filters and page of a task listing (API.md §8). All filters are AND-ed.
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

/// Filters for templates. `max_level`: only templates whose level is at most this one.
struct TemplateQuery {
  std::optional<TemplateCategory> category;
  std::optional<TaskType> task_type;
  std::optional<SubscriptionLevel> max_level;
  bool active_only = true;
};

/// Non-deleted task counts, by status and by type.
struct TaskCounts {
  std::map<TaskStatus, std::int64_t> by_status;
  std::map<TaskType, std::int64_t> by_type;
};

/// Aggregates over executions started at or after a point in time.
struct ExecutionTotals {
  std::int64_t total = 0;
  std::int64_t successful = 0;     ///< status completed
  std::int64_t failed = 0;         ///< status failed
  double average_duration_ms = 0;  ///< over executions with a duration; 0 when none
  double credits = 0;
  std::int64_t tokens = 0;
  std::int64_t api_calls = 0;
  /// Execution counts per UTC quarter hour: (floor(unix_seconds / 900), count), ascending.
  /// Every real time zone offset is a multiple of 15 minutes, so the core can bucket these into
  /// local hours and weekdays of any zone exactly.
  std::vector<std::pair<std::int64_t, std::int64_t>> by_quarter_hour;
};

/// What one atomic write stores: the task row (when set), execution rows (inserted or updated by
/// execution_id), and outbox events.
struct Change {
  std::optional<Task> task;
  std::vector<Execution> executions;
  std::vector<Event> events;
};

/// An event waiting in the outbox, with its position (ascending = commit order).
struct OutboxEntry {
  std::int64_t seq = 0;
  Event event;
};

/// The storage port of the core.
class TaskRepository {
 public:
  virtual ~TaskRepository() = default;

  // --- tasks ---------------------------------------------------------------------------------
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
  /// Number of non-deleted tasks of a user (the task quota).
  virtual std::int64_t count_tasks(std::string_view user_id) = 0;

  /// Read-modify-write of one task under a row lock, in one transaction: reads the current row
  /// (deleted or not), calls `fn`, and stores what it returns with `version` + 1 (and
  /// `updated_at` as `fn` set it). `fn` returns nullopt to write nothing; it may throw, which
  /// rolls back. Returns what was written (nullopt when nothing was). Throws NotFound("task", id)
  /// when no row has this task_id. `fn` may run more than once (retries) and must be pure.
  /// An execution whose (task_id, scheduled_for) slot is already stored under another
  /// execution_id throws Conflict, and nothing of the change is written.
  virtual std::optional<Change> modify_task(
      std::string_view task_id, const std::function<std::optional<Change>(const Task&)>& fn) = 0;

  /// Batch form of modify_task, in ONE transaction: locks the rows of `task_ids` (distinct; in
  /// row id order, so two batches never deadlock), calls `fn` once per stored task in the order
  /// given, and writes every change with multi-row statements. Element i of the result is what
  /// was written for task_ids[i] (nullopt when `fn` returned nullopt or no row has that
  /// task_id). A slot Conflict in any change throws Conflict and writes nothing of the batch.
  virtual std::vector<std::optional<Change>> modify_tasks(
      const std::vector<std::string>& task_ids,
      const std::function<std::optional<Change>(const Task&)>& fn) = 0;

  /// Restores exported data (task-cli import): inserts `task` and its `executions` exactly as
  /// given, row ids and version included, and no events, in one transaction. Later inserts get
  /// row ids above every restored one. Throws Conflict, writing nothing, when the task_id, an
  /// execution_id, a row id or an execution slot (task_id, scheduled_for) is taken; throws
  /// std::invalid_argument when a row id is not positive or an execution is of another task.
  virtual void restore(const Task& task, const std::vector<Execution>& executions) = 0;

  // --- executions ----------------------------------------------------------------------------
  virtual std::optional<Execution> find_execution(std::string_view execution_id) = 0;
  virtual ExecutionPage list_executions(std::string_view task_id, int limit, int offset) = 0;
  /// Executions of a user with started_at >= since (the daily execution quota).
  virtual std::int64_t count_executions_since(std::string_view user_id, Timestamp since) = 0;

  // --- templates -----------------------------------------------------------------------------
  /// Templates matching the query, ordered by category name, then name.
  virtual std::vector<Template> list_templates(const TemplateQuery& query) = 0;
  virtual std::optional<Template> find_template(std::string_view template_id) = 0;
  /// Inserts or replaces by template_id.
  virtual Template upsert_template(const Template& tmpl) = 0;

  // --- analytics and stats -------------------------------------------------------------------
  /// Counts of non-deleted tasks; all users when `user_id` is nullopt.
  virtual TaskCounts count_tasks_by(std::optional<std::string_view> user_id) = 0;
  /// Execution aggregates since `since` (deleted tasks' executions included); all users when
  /// `user_id` is nullopt.
  virtual ExecutionTotals execution_totals(std::optional<std::string_view> user_id,
                                           Timestamp since) = 0;

  // --- scheduler -----------------------------------------------------------------------------
  /// Due tasks of all users without claiming them: status scheduled, next_run_time <= now, not
  /// deleted; ordered by priority rank desc, then next_run_time, then id.
  virtual std::vector<Task> list_due_tasks(Timestamp now, int limit) = 0;
  /// Claims up to `limit` due tasks (same filter and order as list_due_tasks, skipping rows whose
  /// lease is held and unexpired) for `owner` until `now + lease`; atomic across processes.
  /// Also claims (first) non-deleted tasks with status `running` whose lease is set and expired
  /// at `now`: their worker died and the scheduler recovers them. Executions are unique per
  /// (task_id, scheduled_for): a change inserting a second row for a slot throws Conflict.
  virtual std::vector<Task> claim_due_tasks(Timestamp now, int limit, std::string_view owner,
                                            std::chrono::microseconds lease) = 0;
  /// Only the first part of claim_due_tasks: claims up to `limit` non-deleted `running` tasks
  /// whose lease is set and expired at `now` (their worker died), oldest lease first, for
  /// `owner` until `now + lease`; atomic across processes.
  virtual std::vector<Task> claim_lost_runs(Timestamp now, int limit, std::string_view owner,
                                            std::chrono::microseconds lease) = 0;
  /// Claims and changes due tasks in ONE transaction (the scheduler's slot start): locks up to
  /// `limit` due tasks — the filter and order of claim_due_tasks' due part; rows another
  /// transaction holds are skipped — calls `fn` on each in that order, and writes what it
  /// returns as modify_tasks does. Returns every locked task (as read) with what was written
  /// for it. A slot Conflict in any change throws Conflict and writes nothing.
  virtual std::vector<std::pair<Task, std::optional<Change>>> modify_due_tasks(
      Timestamp now, int limit, const std::function<std::optional<Change>(const Task&)>& fn) = 0;
  /// The earliest next_run_time among scheduled, non-deleted tasks (for the scheduler's timer).
  virtual std::optional<Timestamp> earliest_due_time() = 0;
  /// Tasks whose reminder is due: reminder_time <= now, reminder_sent_at null, not completed,
  /// not deleted, not cancelled; ordered by reminder_time.
  virtual std::vector<Task> list_due_reminders(Timestamp now, int limit) = 0;

  // --- users ---------------------------------------------------------------------------------
  /// The stored subscription level of a user (from subscription.changed events), if any.
  virtual std::optional<SubscriptionLevel> find_user_level(std::string_view user_id) = 0;
  virtual void set_user_level(std::string_view user_id, SubscriptionLevel level,
                              Timestamp changed_at) = 0;
  /// Non-deleted task ids of a user whose status is not cancelled/completed (user.deleted).
  virtual std::vector<std::string> list_open_task_ids(std::string_view user_id) = 0;

  // --- outbox --------------------------------------------------------------------------------
  /// Unpublished outbox entries in commit order, at most `limit`.
  virtual std::vector<OutboxEntry> fetch_outbox(int limit) = 0;
  /// Marks entries published (at `now`).
  virtual void mark_published(const std::vector<std::int64_t>& seqs, Timestamp now) = 0;
  /// Deletes published entries older than `before`; returns how many.
  virtual std::int64_t prune_outbox(Timestamp before) = 0;
  /// Number of unpublished entries and the time of the oldest one.
  virtual std::pair<std::int64_t, std::optional<Timestamp>> outbox_backlog() = 0;

  // --- health --------------------------------------------------------------------------------
  /// Cheap round trip to storage; throws Unavailable when it is down.
  virtual void ping() = 0;

  // --- unreadable rows -----------------------------------------------------------------------
  /// Rows that listings, claims and scheduler rounds skipped since the repository was opened
  /// because they could not be decoded (each skip counts; see task::Unreadable). Backends that
  /// never decode (memory) keep 0.
  virtual std::int64_t unreadable_rows() const { return 0; }
  /// Called once per skipped row, from the reading thread (e.g. to log the task id). Set it
  /// before the repository is shared between threads.
  virtual void set_unreadable_row_hook(std::function<void(const Unreadable&)> hook) { (void)hook; }

  // --- operator (added by embed)
  /// A run in flight, for the operator view: a non-deleted task with status `running` (any
  /// user), the lease on it and its `running` execution (when one is stored).
  struct RunInFlight {
    std::string task_id;
    std::string user_id;
    std::string name;
    TaskType task_type{};
    std::optional<std::string> lease_owner;     ///< replica id, or "manual:<execution_id>"
    std::optional<Timestamp> lease_expires_at;  ///< reclaimable after it
    std::optional<std::string> execution_id;    ///< the running execution, if stored
    std::optional<TriggerType> trigger;
    std::optional<Timestamp> scheduled_for;  ///< its slot; null for manual runs
    std::optional<Timestamp> started_at;
  };
  /// Up to `limit` (clamped to 0..1000) runs in flight across all users, oldest task row first
  /// (row id order); one statement.
  virtual std::vector<RunInFlight> list_runs_in_flight(int limit) = 0;

  // --- analytics (added by embed)
  /// Execution aggregates of one UTC quarter hour (floor(unix_seconds / 900)).
  struct QuarterTotals {
    std::int64_t quarter = 0;
    std::int64_t total = 0;
    std::int64_t successful = 0;  ///< status completed
    std::int64_t failed = 0;      ///< status failed
    double credits = 0;
  };
  /// Executions of `user_id` started at or after `since`, grouped by UTC quarter hour (only
  /// non-empty quarters), ascending; one statement. The dashboard's daily series buckets them
  /// into local days of any zone (every real offset is a multiple of 15 minutes).
  virtual std::vector<QuarterTotals> execution_quarters(std::string_view user_id,
                                                        Timestamp since) = 0;
};

}  // namespace task
