// TaskService: runs (docs/api.md §10) — manual and internal scheduled — and execution listings.
#include "task/core/errors.hpp"
#include "task/rules/events.hpp"
#include "task/rules/outcome.hpp"
#include "task/rules/status.hpp"
#include "task/service/task_service.hpp"

namespace task {
namespace {

/// Checks that `cur` may start a run now; throws Conflict otherwise.
void check_startable(const Task& cur) {
  if (cur.status == TaskStatus::running || !is_executable(cur.status))
    throw Conflict(std::string(to_string(cur.status)), "running");
}

}  // namespace

void TaskService::check_execution_quota(const Caller& caller, Timestamp now) {
  const auto limit = options_.quotas.execution_limit(level_of(caller));
  if (limit && ports_.tasks->count_executions_since(caller.user_id, utc_day_start(now)) >= *limit)
    throw LimitExceeded("executions_per_day", *limit);
}

StartedRun TaskService::begin_run(const Caller& caller, std::string_view task_id,
                                  TriggerType trigger, boost::json::object trigger_data) {
  const auto now = ports_.clock->now();
  StartedRun run;
  auto change = ports_.tasks->modify_task(task_id, [&](const Task& cur) -> std::optional<Change> {
    if (cur.deleted_at || cur.user_id != caller.user_id)
      throw NotFound("task", std::string(task_id));
    check_startable(cur);
    Execution e;
    e.execution_id = ports_.ids->execution_id();
    e.task_id = cur.task_id;
    e.user_id = cur.user_id;
    e.status = ExecutionStatus::running;
    e.trigger_type = trigger;
    e.trigger_data = trigger_data;
    e.started_at = now;
    e.created_at = now;
    Change c;
    c.task = cur;
    c.task->status = TaskStatus::running;
    c.task->updated_at = now;
    c.task->lease_owner = "manual:" + e.execution_id;
    c.task->lease_expires_at = now + options_.manual_run_lease;
    c.events.push_back(make_status_changed_event(*c.task, cur.status, TaskStatus::running,
                                                 "execution_started", now, ports_.ids->event_id()));
    c.executions.push_back(std::move(e));
    run.status_before_run = cur.status;
    return c;
  });
  run.task = *change->task;
  run.execution = change->executions.front();  // as stored: carries its row id
  return run;
}

StartedRun TaskService::start_execution(const Caller& caller, std::string_view task_id,
                                        const ExecuteRequest& request) {
  owned_task(caller, task_id);  // NotFound before quota: never leak existence through 429
  check_execution_quota(caller, ports_.clock->now());
  return begin_run(caller, task_id, request.trigger_type, request.trigger_data);
}

StartedRun TaskService::start_execution(const Caller& caller, std::string_view task_id,
                                        const boost::json::value& body) {
  return start_execution(caller, task_id, parse_execute_request(body));
}

FinishedRun TaskService::finish_execution(const StartedRun& run) {
  // The same executor path as scheduled runs, with the task type's timeout.
  const auto outcome =
      run_executor(*ports_.executors, RunContext{run.task, run.execution, run.task.last_result},
                   options_.timeouts.for_task(run.task));
  const auto now = ports_.clock->now();
  FinishedRun out;
  const std::string lease = "manual:" + run.execution.execution_id;
  std::optional<Task> current;
  auto change =
      ports_.tasks->modify_task(run.task.task_id, [&](const Task& cur) -> std::optional<Change> {
        current = cur;
        // The lease expired and a scheduler closed this run as lost: its record stands.
        if (cur.lease_owner != lease) return std::nullopt;
        auto r =
            apply_outcome(cur, run.execution, outcome, run.status_before_run, now, *ports_.ids);
        r.task.lease_owner.reset();
        r.task.lease_expires_at.reset();
        out.execution = r.execution;
        return Change{std::move(r.task), {std::move(r.execution)}, std::move(r.events), {}};
      });
  if (!change) {
    out.task = *current;
    out.execution =
        ports_.tasks->find_execution(run.execution.execution_id).value_or(run.execution);
    return out;
  }
  out.task = *change->task;
  return out;
}

FinishedRun TaskService::execute(const Caller& caller, std::string_view task_id,
                                 const ExecuteRequest& request) {
  return finish_execution(start_execution(caller, task_id, request));
}

ExecutionList TaskService::list_executions(const Caller& caller, std::string_view task_id,
                                           const QueryParams& params) {
  return list_executions(caller, task_id, parse_page(params, 50, 100));
}

ExecutionList TaskService::list_executions(const Caller& caller, std::string_view task_id,
                                           PageRequest page) {
  owned_task(caller, task_id);
  auto p = ports_.tasks->list_executions(task_id, page.limit, page.offset);
  return ExecutionList{std::move(p.executions), p.total, page.limit, page.offset};
}

std::vector<Task> TaskService::pending_tasks(const Caller& caller, const QueryParams& params) {
  if (!caller.internal) throw PermissionDenied("scheduler.pending");
  const auto page = parse_page(params, 100, 100);
  return ports_.schedule->list_due_tasks(ports_.clock->now(), page.limit);
}

}  // namespace task
