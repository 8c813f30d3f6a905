#include "task/clients/notify_executor.hpp"

#include "task/codec/json_codec.hpp"
#include "task/core/errors.hpp"

namespace task::clients {

Notification run_notification(const RunContext& ctx) {
  const auto& t = ctx.task;
  Notification n;
  n.user_id = t.user_id;
  n.task_id = t.task_id;
  n.kind = t.task_type == TaskType::reminder ? "reminder" : "task_run";
  n.title = t.name;
  if (auto* m = t.config.if_contains("message"); m && m->is_string())
    n.message = std::string(m->as_string());
  else
    n.message = t.description.value_or(t.name);
  n.data["task_type"] = std::string(to_string(t.task_type));
  n.data["execution_id"] = ctx.execution.execution_id;
  n.data["due_date"] = timestamp_or_null(t.due_date);
  return n;
}

RunOutcome NotifyExecutor::run(const RunContext& ctx) {
  const auto n = run_notification(ctx);
  boost::json::object result;
  result["task_type"] = std::string(to_string(ctx.task.task_type));
  result["message"] = n.message;
  std::int64_t calls = 0;
  if (notifier_) {
    try {
      notifier_->notify(n);
      ++calls;
    } catch (const std::exception& e) {
      return RunOutcome::fail(std::string("notification failed: ") + e.what(),
                              "NOTIFICATION_FAILED");
    }
    result["notification"] = {{"channel", "notification_service"}, {"delivered", true}};
  } else {
    result["notification"] = {
        {"channel", "event"},
        {"delivered", false},
        {"note",
         "no notification service configured; the owner is informed only through the "
         "in-process task.executed event"}};
  }
  if (calendar_ && ctx.task.task_type == TaskType::calendar_event) {
    try {
      calendar_->upsert_event(ctx.task);
      ++calls;
      result["calendar"] = {{"synced", true}};
    } catch (const std::exception& e) {
      return RunOutcome::fail(std::string("calendar sync failed: ") + e.what(),
                              "CALENDAR_SYNC_FAILED");
    }
  }
  return RunOutcome::ok(boost::json::value(std::move(result)), calls);
}

}  // namespace task::clients
