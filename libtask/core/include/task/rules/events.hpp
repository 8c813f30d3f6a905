#pragma once
/// Builders of the domain events of docs/api.md §14. Data timestamps are RFC 3339 strings.
///
/// Ownership: each builder copies what it needs into the Event it returns. Thread-safety: pure;
/// safe from any number of threads.
#include <optional>
#include <string>
#include <vector>

#include "task/domain/model.hpp"

namespace task {

/// task.created: task_id, user_id, task_type, name, priority, status, schedule, created_at.
Event make_created_event(const Task& task, std::string event_id);

/// task.updated: task_id, user_id, updated_fields, updated_at.
Event make_updated_event(const Task& task, const std::vector<std::string>& updated_fields,
                         std::string event_id);

/// task.deleted: task_id, user_id, deleted_at (the task must carry deleted_at).
Event make_deleted_event(const Task& task, std::string event_id);

/// task.executed: task_id, execution_id, user_id, status, trigger_type, credits_consumed,
/// duration_ms, executed_at (the execution's completed_at, else started_at).
Event make_executed_event(const Execution& execution, std::string event_id);

/// task.status_changed: task_id, user_id, old_status, new_status, reason, changed_at.
Event make_status_changed_event(const Task& task, TaskStatus old_status, TaskStatus new_status,
                                const std::string& reason, Timestamp changed_at,
                                std::string event_id);

/// task.reminder_triggered: task_id, user_id, reminder_type, triggered_at.
/// `task.completed` (docs/api.md §16): a recurring todo's occurrence was completed; data
/// `due_date` (the completed occurrence), `completed_at`, `next_due_date` (null when the
/// recurrence ended and the task closed).
Event make_completed_event(const Task& task, const Completion& completion,
                           std::optional<Timestamp> next_due_date, std::string event_id);

Event make_reminder_triggered_event(const Task& task, const std::string& reminder_type,
                                    Timestamp triggered_at, std::string event_id);

}  // namespace task
