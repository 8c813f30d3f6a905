// TaskService: construction, subscription levels, and the task use cases (docs/api.md §7–§9).
#include "task/service/task_service.hpp"

#include "task/core/errors.hpp"
#include "task/rules/events.hpp"
#include "task/rules/status.hpp"

namespace task {

TaskService::TaskService(ServicePorts ports, ServiceOptions options)
    : ports_(std::move(ports)), options_(options) {
  if (!ports_.tasks || !ports_.schedule || !ports_.catalog || !ports_.users || !ports_.stats ||
      !ports_.outbox || !ports_.clock || !ports_.ids)
    throw std::invalid_argument(
        "TaskService needs every storage role (tasks, schedule, catalog, users, stats, outbox), a "
        "clock and an id generator");
  if (!ports_.executors) ports_.executors = std::make_shared<ExecutorRegistry>();
}

ServicePorts service_ports(const std::shared_ptr<TaskRepository>& storage,
                           std::shared_ptr<Clock> clock, std::shared_ptr<IdGenerator> ids,
                           std::shared_ptr<ExecutorRegistry> executors,
                           std::shared_ptr<SubscriptionDirectory> subscriptions) {
  return ServicePorts{storage,
                      storage,
                      storage,
                      storage,
                      storage,
                      storage,
                      std::move(clock),
                      std::move(ids),
                      std::move(executors),
                      std::move(subscriptions)};
}

SubscriptionLevel TaskService::resolve_level(std::string_view user_id,
                                             std::optional<SubscriptionLevel> claimed) {
  if (claimed) return *claimed;
  if (auto stored = ports_.users->find_user_level(user_id)) return *stored;
  if (ports_.subscriptions) {
    try {
      if (auto level = ports_.subscriptions->level_of(user_id)) return *level;
    } catch (const Unavailable&) {
      // The account service being down must not block the user: fall back to the default.
    }
  }
  return options_.default_level;
}

SubscriptionLevel TaskService::level_of(const Caller& caller) {
  if (caller.level) return *caller.level;
  if (caller.user_id.empty()) return SubscriptionLevel::basic;
  return resolve_level(caller.user_id);
}

Task TaskService::owned_task(const Caller& caller, std::string_view task_id) {
  auto t = ports_.tasks->find_task(task_id);
  if (!t || t->deleted_at || t->user_id != caller.user_id)
    throw NotFound("task", std::string(task_id));
  return *t;
}

Task TaskService::insert_new_task(const Caller& caller, Task task) {
  const auto event = make_created_event(task, ports_.ids->event_id());
  // The quota count and the insert are one atomic step: concurrent creates cannot exceed it.
  if (const auto limit = options_.quotas.task_limit(level_of(caller)))
    return ports_.tasks->insert_task_within(task, {event}, *limit);
  return ports_.tasks->insert_task(task, {event});
}

Task TaskService::create_task(const Caller& caller, const boost::json::value& body) {
  return create_task(caller, parse_create_request(body, ports_.clock->now()));
}

Task TaskService::create_task(const Caller& caller, const CreateTaskRequest& request) {
  const auto now = ports_.clock->now();
  return insert_new_task(caller,
                         build_new_task(request, ports_.ids->task_id(), caller.user_id, now));
}

Task TaskService::get_task(const Caller& caller, std::string_view task_id) {
  return owned_task(caller, task_id);
}

std::vector<Completion> TaskService::list_completions(const Caller& caller,
                                                      std::string_view task_id, int limit) {
  owned_task(caller, task_id);
  return ports_.tasks->list_completions(task_id, limit);
}

TaskList TaskService::list_tasks(const Caller& caller, const QueryParams& params) {
  return list_tasks(caller, parse_list_query(params));
}

TaskList TaskService::list_tasks(const Caller& caller, const ListTasksRequest& request) {
  TaskQuery q = request.query;
  q.user_id = caller.user_id;
  q.limit = request.query.limit + 1;  // one more row tells whether a next page exists
  auto page = ports_.tasks->list_tasks(q);
  TaskList out;
  out.limit = request.query.limit;
  out.offset = request.query.offset;
  out.total = page.total;
  out.filters = request.filters;
  if (page.tasks.size() > static_cast<std::size_t>(request.query.limit)) {
    page.tasks.resize(static_cast<std::size_t>(request.query.limit));
    const auto& last = page.tasks.back();
    out.next_cursor = encode_cursor({last.created_at, last.id});
  }
  out.tasks = std::move(page.tasks);
  return out;
}

UpdatedTask TaskService::update_task(const Caller& caller, std::string_view task_id,
                                     const boost::json::value& body,
                                     const std::optional<std::string>& if_match) {
  return update_task(caller, task_id, parse_update_request(body, ports_.clock->now()), if_match);
}

UpdatedTask TaskService::update_task(const Caller& caller, std::string_view task_id,
                                     const UpdateTaskRequest& patch,
                                     const std::optional<std::string>& if_match) {
  const auto now = ports_.clock->now();
  UpdatedTask out;
  auto change = ports_.tasks->modify_task(task_id, [&](const Task& cur) -> std::optional<Change> {
    if (cur.deleted_at || cur.user_id != caller.user_id)
      throw NotFound("task", std::string(task_id));
    if (if_match && !if_match_matches(*if_match, etag_of(cur)))
      throw PreconditionFailed(etag_of(cur));
    auto r = apply_update(cur, patch, now);
    out.task = cur;
    out.updated_fields = r.updated_fields;
    if (r.updated_fields.empty()) return std::nullopt;
    Change c;
    c.events.push_back(make_updated_event(r.task, r.updated_fields, ports_.ids->event_id()));
    if (r.status_change)
      c.events.push_back(make_status_changed_event(r.task, r.status_change->from,
                                                   r.status_change->to, r.status_change->reason,
                                                   now, ports_.ids->event_id()));
    if (r.completion) {  // a recurring todo's occurrence (docs/api.md §16)
      const bool closed = r.task.status == TaskStatus::completed;
      c.events.push_back(make_completed_event(r.task, *r.completion,
                                              closed ? std::optional<Timestamp>{} : r.task.due_date,
                                              ports_.ids->event_id()));
      c.completions.push_back(*r.completion);
    }
    c.task = std::move(r.task);
    return c;
  });
  if (change) out.task = *change->task;
  return out;
}

Task TaskService::delete_task(const Caller& caller, std::string_view task_id) {
  const auto now = ports_.clock->now();
  auto change = ports_.tasks->modify_task(task_id, [&](const Task& cur) -> std::optional<Change> {
    if (cur.deleted_at || cur.user_id != caller.user_id)
      throw NotFound("task", std::string(task_id));
    Change c;
    c.task = cur;
    c.task->deleted_at = now;
    c.task->updated_at = now;
    c.events.push_back(make_deleted_event(*c.task, ports_.ids->event_id()));
    return c;
  });
  return *change->task;
}

}  // namespace task
