#pragma once
/// The task service: every use case of docs/api.md §6–§11 over the ports. The HTTP server, the CLI
/// and embedding programs call this; it does no I/O of its own. Errors are task::Error subclasses
/// (errors.hpp); each write stores its §14 events in the same repository change (outbox).
///
/// Ownership: TaskService shares ownership of its ports (ServicePorts holds shared_ptr); every
/// result (Task, TaskList, StartedRun, ...) is a value the caller owns; string_view and JSON
/// arguments are read during the call only. Thread-safety: every use case may be called
/// from any number of threads at once, provided the ports are thread-safe (the bundled
/// repositories, clocks, id generators and executors are); consistency between concurrent writes
/// comes from the repository (row locks, atomic quota inserts).
#include <boost/json/value.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "task/core/enums.hpp"
#include "task/domain/model.hpp"
#include "task/ports/clock.hpp"
#include "task/ports/collaborators.hpp"
#include "task/ports/executor.hpp"
#include "task/ports/id_generator.hpp"
#include "task/ports/repository.hpp"
#include "task/rules/quotas.hpp"
#include "task/rules/requests.hpp"
#include "task/service/run_executor.hpp"

namespace task {

/// Who is calling: the user acted for, their subscription level and whether the caller is an
/// authenticated internal service. `level` is set when the shell knows it (a JWT claim, a level
/// resolved once for a whole CLI command); left empty, the service looks it up only for the
/// operations that depend on it (quotas, templates; TaskService::level_of), so a read costs no
/// lookup.
struct Caller {
  std::string user_id;
  std::optional<SubscriptionLevel> level;
  bool internal = false;
};

/// Tunables of the service.
struct ServiceOptions {
  QuotaTable quotas;
  /// Level used when neither the shell, the stored level nor the directory knows one.
  SubscriptionLevel default_level = SubscriptionLevel::basic;
  /// Lease a manual run holds on its task (owner "manual:<execution_id>"). When the process
  /// dies mid-run, a scheduler recovers the task after it expires (WORKER_LOST).
  Micros manual_run_lease = std::chrono::minutes(15);
  /// Per-type run timeouts of manual runs (the scheduler's SchedulerOptions::timeouts: the
  /// runtime passes the same value to both).
  RunTimeouts timeouts;
};

/// The ports the service works over, one storage role each (task/ports/repository.hpp):
/// `tasks` for tasks and runs, `catalog` for templates, `users` for stored levels, `stats` for
/// analytics and service stats, `schedule` for the internal pending list and the scheduler lag,
/// `outbox` for the backlog in the service stats. service_ports() fills them all from one
/// TaskRepository. `subscriptions` may be null.
struct ServicePorts {
  std::shared_ptr<TaskStore> tasks;
  std::shared_ptr<SchedulerStore> schedule;
  std::shared_ptr<CatalogStore> catalog;
  std::shared_ptr<UserStore> users;
  std::shared_ptr<StatsStore> stats;
  std::shared_ptr<OutboxStore> outbox;
  std::shared_ptr<Clock> clock;
  std::shared_ptr<IdGenerator> ids;
  std::shared_ptr<ExecutorRegistry> executors;
  std::shared_ptr<SubscriptionDirectory> subscriptions;
};

/// ServicePorts with every storage role taken from `storage`.
ServicePorts service_ports(const std::shared_ptr<TaskRepository>& storage,
                           std::shared_ptr<Clock> clock, std::shared_ptr<IdGenerator> ids,
                           std::shared_ptr<ExecutorRegistry> executors,
                           std::shared_ptr<SubscriptionDirectory> subscriptions = nullptr);

/// One page of a task listing (§8).
struct TaskList {
  std::vector<Task> tasks;
  std::int64_t total = 0;
  int limit = 100;
  int offset = 0;
  std::optional<std::string> next_cursor;
  boost::json::object filters;
};

/// One page of a task's executions, newest first.
struct ExecutionList {
  std::vector<Execution> executions;
  std::int64_t total = 0;
  int limit = 50;
  int offset = 0;
};

/// Template filters of GET /api/v1/templates.
struct TemplateFilter {
  std::optional<TemplateCategory> category;
  std::optional<TaskType> task_type;
};

/// A run that has started: the task (now `running`), the execution row, and the task's status
/// before the run (restored rules: see apply_outcome).
struct StartedRun {
  Task task;
  Execution execution;
  TaskStatus status_before_run = TaskStatus::pending;
};

/// A finished run: the task and execution as committed.
struct FinishedRun {
  Task task;
  Execution execution;
};

/// The result of an update: the task as stored and the fields that changed (empty = no change).
struct UpdatedTask {
  Task task;
  std::vector<std::string> updated_fields;
};

/// Live totals for GET /api/v1/service/stats.
struct ServiceStats {
  TaskCounts tasks;
  ExecutionTotals last_1_day;
  ExecutionTotals last_7_days;
  ExecutionTotals last_30_days;
  double scheduler_lag_seconds = 0;  ///< now - earliest due next_run_time, 0 when none is late
  std::int64_t outbox_backlog = 0;
  Timestamp generated_at{};
};

/// The service over the ports; thread-safe as far as its ports are.
class TaskService {
 public:
  TaskService(ServicePorts ports, ServiceOptions options = {});

  /// The level of a user: `claimed` (e.g. a JWT claim) if given, else the stored level
  /// (UserStore::find_user_level), else the SubscriptionDirectory, else the default.
  SubscriptionLevel resolve_level(std::string_view user_id,
                                  std::optional<SubscriptionLevel> claimed = std::nullopt);
  /// The caller's level: Caller::level when set, else resolve_level(user_id); `basic` for a
  /// caller without a user (an internal service).
  SubscriptionLevel level_of(const Caller& caller);

  // --- tasks -----------------------------------------------------------------------------------
  /// Creates a task from a JSON body (§7). ValidationError, LimitExceeded("tasks").
  Task create_task(const Caller& caller, const boost::json::value& body);
  /// Creates a task from a validated request.
  Task create_task(const Caller& caller, const CreateTaskRequest& request);
  /// The caller's non-deleted task; NotFound("task", id) otherwise.
  Task get_task(const Caller& caller, std::string_view task_id);
  /// The completed occurrences of the caller's recurring todo, newest first, at most `limit`
  /// (docs/api.md §16); NotFound("task", id) for another user's or a deleted task.
  std::vector<Completion> list_completions(const Caller& caller, std::string_view task_id,
                                           int limit);
  /// Lists the caller's tasks from query parameters (§8).
  TaskList list_tasks(const Caller& caller, const QueryParams& params);
  /// Lists the caller's tasks from a validated request.
  TaskList list_tasks(const Caller& caller, const ListTasksRequest& request);
  /// Partial update (§9). `if_match`: the If-Match header, PreconditionFailed on mismatch.
  UpdatedTask update_task(const Caller& caller, std::string_view task_id,
                          const boost::json::value& body,
                          const std::optional<std::string>& if_match = std::nullopt);
  /// Partial update from a validated patch.
  UpdatedTask update_task(const Caller& caller, std::string_view task_id,
                          const UpdateTaskRequest& patch,
                          const std::optional<std::string>& if_match = std::nullopt);
  /// Soft delete; returns the deleted task. A second delete is NotFound.
  Task delete_task(const Caller& caller, std::string_view task_id);

  // --- executions ------------------------------------------------------------------------------
  /// First half of a manual run: checks status (Conflict), the daily quota
  /// (LimitExceeded("executions_per_day")) and marks the task running with a new execution row,
  /// atomically. Cheap; call it on the request thread.
  StartedRun start_execution(const Caller& caller, std::string_view task_id,
                             const ExecuteRequest& request);
  /// Same, from a JSON body (null = manual, no trigger data).
  StartedRun start_execution(const Caller& caller, std::string_view task_id,
                             const boost::json::value& body);
  /// Second half: runs the executor through `run_executor` with the type's timeout from
  /// ServiceOptions::timeouts (missing -> PROVIDER_NOT_CONFIGURED, exception ->
  /// EXECUTOR_EXCEPTION, too slow -> EXECUTION_TIMEOUT, all failed runs) and commits outcome, task
  /// stats and events in one modify_task. May run on a worker thread.
  FinishedRun finish_execution(const StartedRun& run);
  /// Both halves on the calling thread.
  FinishedRun execute(const Caller& caller, std::string_view task_id,
                      const ExecuteRequest& request = {});
  /// The caller's task's executions, newest first (limit 1–100, default 50).
  ExecutionList list_executions(const Caller& caller, std::string_view task_id,
                                const QueryParams& params);
  /// Same with a validated page.
  ExecutionList list_executions(const Caller& caller, std::string_view task_id, PageRequest page);

  // --- templates -------------------------------------------------------------------------------
  /// Active templates at or below the caller's level; filters `category`, `task_type`.
  std::vector<Template> list_templates(const Caller& caller, const QueryParams& params);
  /// Same with validated filters.
  std::vector<Template> list_templates(const Caller& caller, const TemplateFilter& filter);
  /// Creates a task from a template (§11): NotFound("template"), UpgradeRequired,
  /// ValidationError naming a missing required field, LimitExceeded("tasks").
  Task create_from_template(const Caller& caller, const boost::json::value& body);

  // --- analytics -------------------------------------------------------------------------------
  /// Analytics from query parameters `days` (1–365, default 30) and `tz` (IANA).
  Analytics analytics(const Caller& caller, const QueryParams& params);
  /// Analytics for the last `days` days, bucketed in `tz`.
  Analytics analytics(const Caller& caller, int days, const std::optional<std::string>& tz);

  // --- internal --------------------------------------------------------------------------------
  /// Due tasks of all users (internal callers only, else PermissionDenied); `limit` 1–100.
  std::vector<Task> pending_tasks(const Caller& caller, const QueryParams& params);
  // Running one due task as `scheduled` (internal POST /api/v1/scheduler/execute/{id}) is
  // Scheduler::run_due: the scheduler's own slot start (misfire policy, lease, unique slot).
  /// Live totals (internal only).
  ServiceStats service_stats(const Caller& caller);

  /// The options in force.
  const ServiceOptions& options() const { return options_; }

 private:
  Task owned_task(const Caller& caller, std::string_view task_id);
  Task insert_new_task(const Caller& caller, Task task);
  void check_execution_quota(const Caller& caller, Timestamp now);
  StartedRun begin_run(const Caller& caller, std::string_view task_id, TriggerType trigger,
                       boost::json::object trigger_data);

  ServicePorts ports_;
  ServiceOptions options_;
};

}  // namespace task
