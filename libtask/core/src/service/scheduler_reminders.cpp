// Reminders (docs/api.md §13): at reminder_time a not-completed, non-deleted task notifies its
// owner once. reminder_sent_at and the task.reminder_triggered event are one atomic change, so
// neither a restart nor a second replica repeats a reminder.
#include "scheduler_internal.hpp"
#include "task/core/trace_context.hpp"
#include "task/rules/events.hpp"

namespace task {

std::int64_t Scheduler::fire_reminders(Timestamp now) {
  std::int64_t fired = 0;
  for (const auto& t : ports_.repository->list_due_reminders(now, options_.reminder_batch))
    if (fire_reminder(t, now)) ++fired;
  return fired;
}

bool Scheduler::fire_reminder(const Task& task, Timestamp now) {
  // One trace per fired reminder: its event and its notification call share it.
  const trace::Scope traced(trace::continue_trace(std::nullopt));
  std::optional<Task> fired;
  ports_.repository->modify_task(task.task_id, [&](const Task& cur) -> std::optional<Change> {
    fired.reset();
    if (cur.reminder_sent_at || cur.deleted_at || cur.is_completed || !cur.reminder_time ||
        *cur.reminder_time > now || cur.status == TaskStatus::completed ||
        cur.status == TaskStatus::cancelled)
      return std::nullopt;
    Change ch;
    ch.task = cur;
    ch.task->reminder_sent_at = now;
    ch.events.push_back(
        make_reminder_triggered_event(cur, "reminder_time", now, ports_.ids->event_id()));
    fired = ch.task;
    return ch;
  });
  if (!fired) return false;
  ++counters_->reminders_sent;
  if (ports_.notifier) {
    Notification n;
    n.user_id = fired->user_id;
    n.task_id = fired->task_id;
    n.kind = "reminder";
    n.title = "Reminder: " + fired->name;
    const auto* msg = fired->config.if_contains("message");
    n.message = msg && msg->is_string() ? std::string(msg->get_string()) : fired->name;
    n.data = {{"reminder_time", format_rfc3339(*fired->reminder_time)},
              {"task_type", to_string(fired->task_type)}};
    if (fired->due_date) n.data["due_date"] = format_rfc3339(*fired->due_date);
    try {
      ports_.notifier->notify(n);
    } catch (const std::exception&) {
      // The event is in the outbox either way; a failed delivery is not retried (fires once).
      ++counters_->notifications_failed;
    }
  }
  return true;
}

}  // namespace task
