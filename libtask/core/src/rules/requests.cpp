// Request bodies (docs/api.md §7, §9, §10, §11) -> typed requests.
#include "task/rules/requests.hpp"
#include "task/rules/recurrence.hpp"

#include <functional>

#include "field_errors.hpp"
#include "task/codec/json_numbers.hpp"

namespace task {
namespace {

using detail::at;
using detail::Errors;
using detail::Loc;
namespace json = boost::json;

const Loc kBody{"body"};

/// Most credits one run may cost (docs/api.md "Numbers in JSON").
constexpr double kMaxCreditsPerRun = 1e9;

/// The body as an object, else a ValidationError at {"body"}.
const json::object& body_object(const json::value& body) {
  if (const auto* o = body.if_object()) return *o;
  throw ValidationError(kBody, "Input should be a valid dictionary", "dict_type");
}

/// The field if present and not null.
const json::value* present(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return (v && !v->is_null()) ? v : nullptr;
}

std::optional<schedule::Schedule> read_schedule(const json::value& v, Timestamp now, const Loc& loc,
                                                Errors& errs) {
  try {
    return schedule::parse_schedule(v, now, loc);
  } catch (const ValidationError& e) {
    errs.add_all(e.errors);
    return std::nullopt;
  }
}

std::optional<std::string> read_description(const json::value& v, const Loc& loc, Errors& errs) {
  auto s = detail::read_string(v, loc, errs);
  if (s && detail::utf8_length(*s) > kMaxDescriptionLength) {
    errs.add(loc, "String should have at most 10000 characters", "string_too_long");
    return std::nullopt;
  }
  return s;
}

std::optional<double> read_credits(const json::value& v, const Loc& loc, Errors& errs) {
  auto d = detail::read_number(v, loc, errs);
  if (d && *d < 0) {
    errs.add(loc, "Input should be greater than or equal to 0", "greater_than_equal");
    return std::nullopt;
  }
  if (d && *d > kMaxCreditsPerRun) {
    // Keeps every credit total far from the double range (totals saturate in any case).
    errs.add(loc, "Input should be less than or equal to 1000000000", "less_than_equal");
    return std::nullopt;
  }
  return d;
}

/// The optional create fields shared by create and from-template.
void read_create_optionals(const json::object& o, const Loc& loc, Timestamp now,
                           CreateTaskRequest& r, Errors& errs) {
  if (const auto* v = present(o, "description"))
    r.description = read_description(*v, at(loc, "description"), errs);
  if (const auto* v = present(o, "priority"))
    r.priority =
        detail::read_enum<Priority>(*v, at(loc, "priority"), errs).value_or(Priority::medium);
  if (const auto* v = present(o, "config"))
    r.config = detail::read_object(*v, at(loc, "config"), errs).value_or(json::object{});
  if (const auto* v = present(o, "schedule"))
    r.schedule = read_schedule(*v, now, at(loc, "schedule"), errs);
  if (const auto* v = present(o, "credits_per_run"))
    r.credits_per_run = read_credits(*v, at(loc, "credits_per_run"), errs).value_or(0);
  if (const auto* v = present(o, "tags"))
    r.tags = detail::check_tags(*v, at(loc, "tags"), errs).value_or(std::vector<std::string>{});
  if (const auto* v = present(o, "metadata"))
    r.metadata = detail::read_object(*v, at(loc, "metadata"), errs).value_or(json::object{});
  if (const auto* v = present(o, "due_date"))
    r.due_date = detail::read_timestamp(*v, at(loc, "due_date"), errs);
  if (const auto* v = present(o, "reminder_time"))
    r.reminder_time = detail::read_timestamp(*v, at(loc, "reminder_time"), errs);
}

}  // namespace

CreateTaskRequest parse_create_request(const json::value& body, Timestamp now) {
  const auto& o = body_object(body);
  Errors errs;
  CreateTaskRequest r;
  std::optional<std::string> name;
  std::optional<TaskType> type;
  if (const auto* v = present(o, "name"))
    name = detail::check_name(*v, at(kBody, "name"), errs);
  else
    errs.add(at(kBody, "name"), "Field required", "missing");
  if (const auto* v = present(o, "task_type"))
    type = detail::read_enum<TaskType>(*v, at(kBody, "task_type"), errs);
  else
    errs.add(at(kBody, "task_type"), "Field required", "missing");
  read_create_optionals(o, kBody, now, r, errs);
  if (const auto* v = present(o, "recurrence")) {
    try {
      r.recurrence = parse_recurrence(*v, now, at(kBody, "recurrence"));
      if (type) check_recurrence_fits(*type, r.due_date, kBody);
    } catch (const ValidationError& e) {
      errs.add_all(e.errors);
    }
  }
  if (name) r.name = *name;
  if (type) {
    r.task_type = *type;
    const auto* given = present(o, "config");
    const bool config_ok =
        !given || (given->is_object() && !find_unstorable(*given, {}, kMaxJsonDepth));
    if (config_ok)
      r.config = detail::check_config(*type, std::move(r.config), r.name, r.due_date,
                                      at(kBody, "config"), errs);
  }
  errs.throw_if_any();
  return r;
}

namespace {

template <class T>
void set_nullable(const json::object& o, std::string_view key, std::optional<std::optional<T>>& out,
                  const std::function<std::optional<T>(const json::value&)>& read) {
  const auto* v = o.if_contains(key);
  if (!v) return;
  if (v->is_null()) {
    out = std::optional<T>{};
    return;
  }
  if (auto x = read(*v)) out = std::optional<T>{std::move(*x)};
}

}  // namespace

UpdateTaskRequest parse_update_request(const json::value& body, Timestamp now) {
  const auto& o = body_object(body);
  Errors errs;
  for (const char* k : {"task_id", "user_id", "task_type", "created_at"})
    if (o.contains(k)) errs.add(at(kBody, k), "Field cannot be updated", "extra_forbidden");
  UpdateTaskRequest r;
  const auto loc = [](std::string_view k) { return at(kBody, k); };
  if (const auto* v = o.if_contains("name")) r.name = detail::check_name(*v, loc("name"), errs);
  set_nullable<std::string>(o, "description", r.description, [&](const json::value& v) {
    return read_description(v, loc("description"), errs);
  });
  if (const auto* v = o.if_contains("priority"))
    r.priority = detail::read_enum<Priority>(*v, loc("priority"), errs);
  if (const auto* v = o.if_contains("status"))
    r.status = detail::read_enum<TaskStatus>(*v, loc("status"), errs);
  if (const auto* v = o.if_contains("config"))
    r.config = detail::read_object(*v, loc("config"), errs);
  set_nullable<schedule::Schedule>(o, "schedule", r.schedule, [&](const json::value& v) {
    return read_schedule(v, now, loc("schedule"), errs);
  });
  if (const auto* v = o.if_contains("credits_per_run"))
    r.credits_per_run = read_credits(*v, loc("credits_per_run"), errs);
  if (const auto* v = o.if_contains("tags")) r.tags = detail::check_tags(*v, loc("tags"), errs);
  if (const auto* v = o.if_contains("metadata"))
    r.metadata = detail::read_object(*v, loc("metadata"), errs);
  set_nullable<Timestamp>(o, "due_date", r.due_date, [&](const json::value& v) {
    return detail::read_timestamp(v, loc("due_date"), errs);
  });
  set_nullable<Timestamp>(o, "reminder_time", r.reminder_time, [&](const json::value& v) {
    return detail::read_timestamp(v, loc("reminder_time"), errs);
  });
  if (const auto* v = o.if_contains("next_run_time"))
    r.next_run_time = detail::read_timestamp(*v, loc("next_run_time"), errs);
  set_nullable<json::object>(o, "recurrence", r.recurrence,
                             [&](const json::value& v) -> std::optional<json::object> {
                               try {
                                 return parse_recurrence(v, now, loc("recurrence"));
                               } catch (const ValidationError& e) {
                                 errs.add_all(e.errors);
                                 return std::nullopt;
                               }
                             });
  errs.throw_if_any();
  return r;
}

namespace {

const char* const kTemplateTaskFields[] = {"name",          "description", "priority", "config",
                                           "schedule",      "tags",        "metadata", "due_date",
                                           "reminder_time", "recurrence"};

void read_template_field(FromTemplateRequest& r, std::string_view key, const json::value& v,
                         const Loc& loc, Timestamp now, Errors& errs) {
  if (key == "name") r.name = detail::check_name(v, loc, errs);
  if (key == "description") r.description = read_description(v, loc, errs);
  if (key == "priority") r.priority = detail::read_enum<Priority>(v, loc, errs);
  if (key == "config") r.config = detail::read_object(v, loc, errs).value_or(json::object{});
  if (key == "schedule") r.schedule = read_schedule(v, now, loc, errs);
  if (key == "tags") r.tags = detail::check_tags(v, loc, errs);
  if (key == "metadata") r.metadata = detail::read_object(v, loc, errs);
  if (key == "due_date") r.due_date = detail::read_timestamp(v, loc, errs);
  if (key == "reminder_time") r.reminder_time = detail::read_timestamp(v, loc, errs);
  if (key == "recurrence" && !v.is_null()) {
    try {
      r.recurrence = parse_recurrence(v, now, loc);
    } catch (const ValidationError& e) {
      errs.add_all(e.errors);
    }
  }
}

}  // namespace

FromTemplateRequest parse_from_template_request(const json::value& body, Timestamp now) {
  const auto& o = body_object(body);
  Errors errs;
  FromTemplateRequest r;
  if (const auto* v = present(o, "template_id")) {
    if (auto s = detail::read_string(*v, at(kBody, "template_id"), errs)) {
      if (s->empty() || s->size() > 255)
        errs.add(at(kBody, "template_id"), "template_id should have 1 to 255 characters");
      r.template_id = *s;
    }
  } else {
    errs.add(at(kBody, "template_id"), "Field required", "missing");
  }
  const json::object* nested = nullptr;
  if (const auto* v = present(o, "customization")) {
    nested = v->if_object();
    if (!nested)
      errs.add(at(kBody, "customization"), "Input should be a valid dictionary", "dict_type");
  }
  for (const char* key : kTemplateTaskFields) {
    const json::value* v = nested ? present(*nested, key) : nullptr;
    const Loc loc = v ? at(at(kBody, "customization"), key) : at(kBody, key);
    if (!v) v = present(o, key);
    if (!v) continue;
    r.present_fields.emplace_back(key);
    read_template_field(r, key, *v, loc, now, errs);
  }
  errs.throw_if_any();
  return r;
}

ExecuteRequest parse_execute_request(const json::value& body) {
  ExecuteRequest r;
  if (body.is_null()) return r;
  const auto& o = body_object(body);
  Errors errs;
  if (const auto* v = present(o, "trigger_type")) {
    if (auto s = detail::read_string(*v, at(kBody, "trigger_type"), errs)) {
      if (auto t = parse_trigger_type(*s))
        r.trigger_type = *t;
      else
        errs.add(at(kBody, "trigger_type"),
                 "Input should be 'manual', 'scheduled', 'webhook' or 'event'", "enum");
    }
  }
  if (const auto* v = present(o, "trigger_data"))
    r.trigger_data =
        detail::read_object(*v, at(kBody, "trigger_data"), errs).value_or(json::object{});
  errs.throw_if_any();
  return r;
}

Task build_new_task(const CreateTaskRequest& req, std::string task_id, std::string user_id,
                    Timestamp now) {
  Task t;
  t.task_id = std::move(task_id);
  t.user_id = std::move(user_id);
  t.name = req.name;
  t.description = req.description;
  t.task_type = req.task_type;
  t.priority = req.priority;
  t.config = req.config;
  t.credits_per_run = req.credits_per_run;
  t.tags = req.tags;
  t.metadata = req.metadata;
  t.due_date = req.due_date;
  t.reminder_time = req.reminder_time;
  t.recurrence = req.recurrence;
  t.status = TaskStatus::pending;
  if (req.schedule) {
    t.schedule = schedule::to_json(*req.schedule);
    t.next_run_time = schedule::first_fire(*req.schedule, now);
    t.status = TaskStatus::scheduled;
  }
  t.created_at = now;
  t.updated_at = now;
  return t;
}

}  // namespace task
