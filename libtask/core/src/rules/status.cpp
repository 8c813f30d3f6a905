// The status machine and apply_update (docs/api.md §9).
#include "task/rules/status.hpp"

#include "field_errors.hpp"
#include "task/rules/recurrence.hpp"

namespace task {

bool can_transition(TaskStatus from, TaskStatus to) {
  using S = TaskStatus;
  if (from == to || to == S::running || to == S::failed) return false;
  switch (from) {
    case S::pending:
      return to == S::scheduled || to == S::paused || to == S::completed || to == S::cancelled;
    case S::scheduled:
      return to == S::pending || to == S::paused || to == S::completed || to == S::cancelled;
    case S::paused:
      return to == S::scheduled || to == S::pending || to == S::cancelled;
    case S::failed:
      return to == S::scheduled || to == S::pending || to == S::completed || to == S::cancelled;
    case S::completed:
      return to == S::pending;
    case S::running:
      return to == S::cancelled;
    case S::cancelled:
      return false;
  }
  return false;
}

bool is_executable(TaskStatus s) {
  return s == TaskStatus::pending || s == TaskStatus::scheduled || s == TaskStatus::paused ||
         s == TaskStatus::failed || s == TaskStatus::completed;
}

namespace {

/// Assigns `value` to `field` and records `name` when it differs.
template <class T>
void assign(T& field, const T& value, const char* name, std::vector<std::string>& changed) {
  if (field == value) return;
  field = value;
  changed.emplace_back(name);
}

void apply_plain_fields(Task& t, const UpdateTaskRequest& p, std::vector<std::string>& changed) {
  if (p.name) assign(t.name, *p.name, "name", changed);
  if (p.description) assign(t.description, *p.description, "description", changed);
  if (p.priority) assign(t.priority, *p.priority, "priority", changed);
  if (p.credits_per_run) assign(t.credits_per_run, *p.credits_per_run, "credits_per_run", changed);
  if (p.tags) assign(t.tags, *p.tags, "tags", changed);
  if (p.metadata) assign(t.metadata, *p.metadata, "metadata", changed);
  if (p.due_date) assign(t.due_date, *p.due_date, "due_date", changed);
  if (p.reminder_time) {
    if (t.reminder_time != *p.reminder_time) t.reminder_sent_at.reset();  // re-arm the reminder
    assign(t.reminder_time, *p.reminder_time, "reminder_time", changed);
  }
}

/// Applies a schedule patch; returns the implied status (pending <-> scheduled) if any.
std::optional<TaskStatus> apply_schedule(Task& t, const UpdateTaskRequest& p, Timestamp now,
                                         std::vector<std::string>& changed) {
  if (!p.schedule) return std::nullopt;
  if (!*p.schedule) {
    if (!t.schedule) return std::nullopt;
    t.schedule.reset();
    changed.emplace_back("schedule");
    if (t.next_run_time) {
      t.next_run_time.reset();
      changed.emplace_back("next_run_time");
    }
    if (t.status == TaskStatus::scheduled) return TaskStatus::pending;
    return std::nullopt;
  }
  const auto& s = **p.schedule;
  std::optional<boost::json::object> normalized = schedule::to_json(s);
  if (normalized == t.schedule) return std::nullopt;
  t.schedule = std::move(normalized);
  changed.emplace_back("schedule");
  assign(t.next_run_time, schedule::first_fire(s, now), "next_run_time", changed);
  if (t.status == TaskStatus::pending) return TaskStatus::scheduled;
  return std::nullopt;
}

void enter_status(Task& t, TaskStatus to, Timestamp now) {
  if (to == TaskStatus::completed) {
    t.is_completed = true;
    t.completed_at = now;
  } else if (t.status == TaskStatus::completed) {
    t.is_completed = false;
    t.completed_at.reset();
  }
  t.status = to;
}

}  // namespace

UpdateResult apply_update(const Task& task, const UpdateTaskRequest& patch, Timestamp now) {
  UpdateResult r{task, {}, std::nullopt, std::nullopt};
  Task& t = r.task;
  auto& changed = r.updated_fields;
  if (patch.status && *patch.status != task.status && !can_transition(task.status, *patch.status))
    throw Conflict(std::string(to_string(task.status)), std::string(to_string(*patch.status)));
  apply_plain_fields(t, patch, changed);
  if (patch.config) {
    auto cfg = validate_config(task.task_type, *patch.config, t.name, t.due_date);
    assign(t.config, cfg, "config", changed);
  }
  if (patch.recurrence) {
    auto next = *patch.recurrence;
    if (next && t.recurrence)  // occurrences completed so far still count against max_runs
      if (const auto* n = t.recurrence->if_contains("completed_count"))
        (*next)["completed_count"] = *n;
    assign(t.recurrence, next, "recurrence", changed);
  }
  if (t.recurrence && (patch.recurrence || patch.due_date))
    check_recurrence_fits(t.task_type, t.due_date);
  const auto implied = apply_schedule(t, patch, now, changed);
  if (patch.next_run_time) assign(t.next_run_time, patch.next_run_time, "next_run_time", changed);
  // The target as a plain value plus a flag (GCC 12 reports a std::optional<enum> that is
  // reassigned on several paths as maybe-uninitialized).
  TaskStatus target = task.status;
  bool moves = false;
  std::string reason = "user_update";
  if (patch.status && *patch.status != task.status) {
    target = *patch.status;
    moves = true;
  } else if (implied && !patch.status) {
    target = *implied;
    moves = true;
    reason = *implied == TaskStatus::scheduled ? "schedule_set" : "schedule_cleared";
  }
  if (moves && target == TaskStatus::completed && t.recurrence) {
    Completion done;
    if (advance_recurrence(t, now, done, changed)) {  // the next occurrence: stays open
      moves = task.status != TaskStatus::pending && task.status != TaskStatus::scheduled;
      target = TaskStatus::pending;
      reason = "recurrence_next";
    }
    r.completion = done;
  }
  if (moves) {
    if (target == TaskStatus::scheduled && !t.next_run_time && t.schedule)
      t.next_run_time = schedule::first_fire(schedule::parse_schedule(*t.schedule, now), now);
    enter_status(t, target, now);
    changed.emplace_back("status");
    r.status_change = StatusChange{task.status, target, reason};
  }
  if (!changed.empty()) t.updated_at = now;
  return r;
}

std::string etag_of(const Task& task) {
  return "\"" + std::to_string(task.version) + "\"";
}

bool if_match_matches(std::string_view if_match, std::string_view etag) {
  std::size_t pos = 0;
  while (pos <= if_match.size()) {
    auto comma = if_match.find(',', pos);
    if (comma == std::string_view::npos) comma = if_match.size();
    auto item = detail::trim(if_match.substr(pos, comma - pos));
    if (item == "*") return true;
    if (item.rfind("W/", 0) == 0) item = item.substr(2);
    if (item == etag) return true;
    pos = comma + 1;
  }
  return false;
}

}  // namespace task
