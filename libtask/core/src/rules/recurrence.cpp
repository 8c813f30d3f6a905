// Recurring todos: the recurrence field and the arithmetic of completing one
// (task/rules/recurrence.hpp).
#include "task/rules/recurrence.hpp"

#include <algorithm>

#include "task/core/errors.hpp"

namespace task {

namespace json = boost::json;

namespace {

std::vector<std::string> at(std::vector<std::string> loc, const std::string& key) {
  loc.push_back(key);
  return loc;
}

}  // namespace

json::object parse_recurrence(const json::value& v, Timestamp now,
                              const std::vector<std::string>& loc) {
  if (!v.is_object()) throw ValidationError(loc, "Input should be a valid dictionary", "dict_type");
  const auto& o = v.as_object();
  std::vector<FieldError> errors;
  std::string anchor = "due";
  if (const auto* a = o.if_contains("anchor"); a && !a->is_null()) {
    if (a->is_string() && (a->as_string() == "due" || a->as_string() == "completion"))
      anchor = std::string(a->as_string());
    else
      errors.push_back({at(loc, "anchor"), "Input should be 'due' or 'completion'", "enum"});
  }
  std::optional<schedule::Schedule> s;
  const auto* type = o.if_contains("type");
  if (type && type->is_string() && type->as_string() == "once") {
    errors.push_back({at(loc, "type"), "A recurrence cannot be of type 'once'"});
  } else {
    try {
      s = schedule::parse_schedule(v, now, loc);
    } catch (const ValidationError& e) {
      errors.insert(errors.end(), e.errors.begin(), e.errors.end());
    }
  }
  if (!errors.empty()) throw ValidationError(std::move(errors));
  auto out = schedule::to_json(*s);
  out["anchor"] = anchor;
  out["completed_count"] = 0;
  return out;
}

Recurrence read_recurrence(const json::object& stored, Timestamp now) {
  Recurrence r;
  r.schedule = schedule::parse_schedule(json::value(stored), now, {"recurrence"});
  if (const auto* a = stored.if_contains("anchor"); a && a->is_string())
    r.anchor =
        a->as_string() == "completion" ? RecurrenceAnchor::completion : RecurrenceAnchor::due;
  if (const auto* n = stored.if_contains("completed_count"); n && n->is_int64())
    r.completed_count = n->as_int64();
  return r;
}

void check_recurrence_fits(TaskType type, const std::optional<Timestamp>& due_date,
                           const std::vector<std::string>& loc_prefix) {
  std::vector<FieldError> errors;
  if (type != TaskType::todo && type != TaskType::reminder)
    errors.push_back({at(loc_prefix, "recurrence"),
                      "recurrence is allowed for task_type 'todo' and 'reminder' only"});
  if (!due_date)
    errors.push_back({at(loc_prefix, "due_date"), "A recurring task needs a due_date", "missing"});
  if (!errors.empty()) throw ValidationError(std::move(errors));
}

std::optional<Timestamp> next_occurrence(const Recurrence& r, Timestamp due,
                                         Timestamp completed_at) {
  const auto& s = r.schedule;
  if (s.max_runs && r.completed_count + 1 >= *s.max_runs) return std::nullopt;
  if (r.anchor == RecurrenceAnchor::completion && s.kind == schedule::Kind::interval) {
    auto restarted = s;
    restarted.start_at = std::chrono::floor<std::chrono::seconds>(completed_at);
    return schedule::next_fire(restarted, completed_at);
  }
  return schedule::next_fire(s, std::max(due, completed_at));
}

std::optional<Timestamp> moved_reminder(const std::optional<Timestamp>& reminder, Timestamp due,
                                        const std::optional<Timestamp>& next_due) {
  if (!reminder || !next_due) return std::nullopt;
  return *next_due + (*reminder - due);
}

bool advance_recurrence(Task& t, Timestamp now, Completion& completion,
                        std::vector<std::string>& changed) {
  completion = Completion{t.task_id, t.user_id, t.due_date, now};
  if (!t.recurrence || !t.due_date) return false;
  std::optional<Timestamp> next;
  Recurrence r;
  try {
    r = read_recurrence(*t.recurrence, now);
    next = next_occurrence(r, *t.due_date, now);
  } catch (const ValidationError&) {
    return false;  // a stored recurrence that no longer parses ends: the task closes
  }
  if (!next) return false;
  const auto reminder = moved_reminder(t.reminder_time, *t.due_date, next);
  t.due_date = next;
  changed.emplace_back("due_date");
  if (reminder != t.reminder_time) {
    t.reminder_time = reminder;
    t.reminder_sent_at.reset();  // the moved reminder fires again
    changed.emplace_back("reminder_time");
  }
  (*t.recurrence)["completed_count"] = r.completed_count + 1;
  changed.emplace_back("recurrence");
  return true;
}

json::object completion_json(const Completion& c) {
  return {
      {"due_date", c.due_date ? json::value(format_rfc3339(*c.due_date)) : json::value(nullptr)},
      {"completed_at", format_rfc3339(c.completed_at)}};
}

}  // namespace task
