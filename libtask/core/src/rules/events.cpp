// Event builders (docs/api.md §14).
#include "task/rules/events.hpp"

#include "task/core/trace_context.hpp"

namespace task {
namespace {

namespace json = boost::json;

/// The trace of the work this thread is doing (a request, a scheduled run) goes into the event
/// (CloudEvents distributed-tracing extension), so a consumer continues the same trace.
void stamp_trace(Event& e) {
  const auto* t = trace::current();
  if (!t || t->trace_id.empty() || (t->span_id.empty() && t->parent_id.empty())) return;
  e.traceparent = t->span_id.empty() ? "00-" + t->trace_id + "-" + t->parent_id + "-" + t->flags
                                     : t->traceparent();
  e.tracestate = t->tracestate;
}

Event base_event(const Task& task, const char* type, std::string id, Timestamp time) {
  Event e;
  e.id = std::move(id);
  e.type = type;
  e.time = time;
  e.task_id = task.task_id;
  e.user_id = task.user_id;
  e.data["task_id"] = task.task_id;
  e.data["user_id"] = task.user_id;
  stamp_trace(e);
  return e;
}

}  // namespace

Event make_created_event(const Task& task, std::string event_id) {
  auto e = base_event(task, "task.created", std::move(event_id), task.created_at);
  e.data["task_type"] = to_string(task.task_type);
  e.data["name"] = task.name;
  e.data["priority"] = to_string(task.priority);
  e.data["status"] = to_string(task.status);
  e.data["schedule"] = task.schedule ? json::value(*task.schedule) : json::value(nullptr);
  e.data["created_at"] = format_rfc3339(task.created_at);
  return e;
}

Event make_updated_event(const Task& task, const std::vector<std::string>& updated_fields,
                         std::string event_id) {
  auto e = base_event(task, "task.updated", std::move(event_id), task.updated_at);
  json::array fields;
  for (const auto& f : updated_fields)
    fields.emplace_back(f);
  e.data["updated_fields"] = std::move(fields);
  e.data["updated_at"] = format_rfc3339(task.updated_at);
  return e;
}

Event make_completed_event(const Task& task, const Completion& completion,
                           std::optional<Timestamp> next_due_date, std::string event_id) {
  auto e = base_event(task, "task.completed", std::move(event_id), completion.completed_at);
  auto opt = [](const std::optional<Timestamp>& t) {
    return t ? json::value(format_rfc3339(*t)) : json::value(nullptr);
  };
  e.data["due_date"] = opt(completion.due_date);
  e.data["completed_at"] = format_rfc3339(completion.completed_at);
  e.data["next_due_date"] = opt(next_due_date);
  return e;
}

Event make_deleted_event(const Task& task, std::string event_id) {
  const auto at = task.deleted_at.value_or(task.updated_at);
  auto e = base_event(task, "task.deleted", std::move(event_id), at);
  e.data["deleted_at"] = format_rfc3339(at);
  return e;
}

Event make_executed_event(const Execution& x, std::string event_id) {
  const auto at = x.completed_at.value_or(x.started_at);
  Event e;
  e.id = std::move(event_id);
  e.type = "task.executed";
  e.time = at;
  e.task_id = x.task_id;
  e.user_id = x.user_id;
  e.data["task_id"] = x.task_id;
  e.data["execution_id"] = x.execution_id;
  e.data["user_id"] = x.user_id;
  e.data["status"] = to_string(x.status);
  e.data["trigger_type"] = to_string(x.trigger_type);
  e.data["credits_consumed"] = x.credits_consumed;
  e.data["duration_ms"] = x.duration_ms ? json::value(*x.duration_ms) : json::value(nullptr);
  e.data["executed_at"] = format_rfc3339(at);
  stamp_trace(e);
  return e;
}

Event make_status_changed_event(const Task& task, TaskStatus old_status, TaskStatus new_status,
                                const std::string& reason, Timestamp changed_at,
                                std::string event_id) {
  auto e = base_event(task, "task.status_changed", std::move(event_id), changed_at);
  e.data["old_status"] = to_string(old_status);
  e.data["new_status"] = to_string(new_status);
  e.data["reason"] = reason;
  e.data["changed_at"] = format_rfc3339(changed_at);
  return e;
}

Event make_reminder_triggered_event(const Task& task, const std::string& reminder_type,
                                    Timestamp triggered_at, std::string event_id) {
  auto e = base_event(task, "task.reminder_triggered", std::move(event_id), triggered_at);
  e.data["reminder_type"] = reminder_type;
  e.data["triggered_at"] = format_rfc3339(triggered_at);
  return e;
}

}  // namespace task
