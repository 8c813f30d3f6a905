#include "task/codec/json_codec.hpp"

#include <boost/json.hpp>
#include <charconv>
#include <cmath>

#include "task/core/errors.hpp"
#include "task/service/task_service.hpp"

namespace task {
namespace json = boost::json;

namespace {

// ---- writing ---------------------------------------------------------------------------------

json::array string_array(const std::vector<std::string>& v) {
  json::array a;
  a.reserve(v.size());
  for (const auto& s : v)
    a.emplace_back(s);
  return a;
}

json::value string_or_null(const std::optional<std::string>& s) {
  return s ? json::value(*s) : json::value(nullptr);
}

json::value int_or_null(const std::optional<std::int64_t>& i) {
  return i ? json::value(*i) : json::value(nullptr);
}

// ---- reading ---------------------------------------------------------------------------------

/// Reads fields of one wire object, reporting problems with their location.
class Reader {
 public:
  explicit Reader(const json::value& v) {
    if (!v.is_object()) throw ValidationError({"body"}, "expected a JSON object", "object_type");
    obj_ = &v.as_object();
  }

  const json::value* find(std::string_view key) const {
    auto it = obj_->find(key);
    return it == obj_->end() || it->value().is_null() ? nullptr : &it->value();
  }

  [[noreturn]] static void fail(std::string_view key, std::string msg, std::string type) {
    throw ValidationError({"body", std::string(key)}, std::move(msg), std::move(type));
  }

  std::string str(std::string_view key) const {
    auto s = opt_str(key);
    if (!s) fail(key, "field required", "missing");
    return *s;
  }
  std::optional<std::string> opt_str(std::string_view key) const {
    const auto* v = find(key);
    if (!v) return std::nullopt;
    if (!v->is_string()) fail(key, "must be a string", "string_type");
    return std::string(v->as_string());
  }
  std::int64_t integer(std::string_view key, std::int64_t def = 0) const {
    return opt_int(key).value_or(def);
  }
  std::optional<std::int64_t> opt_int(std::string_view key) const {
    const auto* v = find(key);
    if (!v) return std::nullopt;
    if (v->is_int64()) return v->as_int64();
    if (v->is_uint64() && v->as_uint64() <= INT64_MAX)
      return static_cast<std::int64_t>(v->as_uint64());
    if (v->is_double() && std::trunc(v->as_double()) == v->as_double() &&
        std::abs(v->as_double()) < 9e15)
      return static_cast<std::int64_t>(v->as_double());
    fail(key, "must be an integer", "int_type");
  }
  double number(std::string_view key, double def = 0) const {
    const auto* v = find(key);
    if (!v) return def;
    if (v->is_number()) return v->to_number<double>();
    fail(key, "must be a number", "float_type");
  }
  bool boolean(std::string_view key, bool def = false) const {
    const auto* v = find(key);
    if (!v) return def;
    if (!v->is_bool()) fail(key, "must be a boolean", "bool_type");
    return v->as_bool();
  }
  json::object object(std::string_view key) const {
    auto o = opt_object(key);
    return o ? std::move(*o) : json::object{};
  }
  std::optional<json::object> opt_object(std::string_view key) const {
    const auto* v = find(key);
    if (!v) return std::nullopt;
    if (!v->is_object()) fail(key, "must be an object", "dict_type");
    return v->as_object();
  }
  json::value any(std::string_view key) const {
    const auto* v = find(key);
    return v ? *v : json::value(nullptr);
  }
  std::vector<std::string> strings(std::string_view key) const {
    std::vector<std::string> out;
    const auto* v = find(key);
    if (!v) return out;
    if (!v->is_array()) fail(key, "must be an array of strings", "list_type");
    for (const auto& e : v->as_array()) {
      if (!e.is_string()) fail(key, "must be an array of strings", "string_type");
      out.emplace_back(e.as_string());
    }
    return out;
  }
  std::optional<Timestamp> opt_time(std::string_view key) const {
    auto s = opt_str(key);
    if (!s) return std::nullopt;
    auto t = parse_rfc3339(*s);
    if (!t) fail(key, "must be an RFC 3339 date-time", "datetime_parsing");
    return t;
  }
  Timestamp time(std::string_view key) const {
    auto t = opt_time(key);
    if (!t) fail(key, "field required", "missing");
    return *t;
  }
  template <class E>
  E enumeration(std::string_view key) const {
    const auto s = str(key);
    auto e = parse_enum<E>(s);
    if (!e) fail(key, "unknown value '" + s + "'", "enum");
    return *e;
  }

 private:
  const json::object* obj_ = nullptr;
};

// ---- text ------------------------------------------------------------------------------------

/// Shortest text that reads back as exactly `d` (std::to_chars). An integral double within the
/// int64/uint64 range is written as that integer (so -0 is 0 and 1e18 is 1000000000000000000):
/// the same text whether a store kept it as a double or, as PostgreSQL's jsonb does, as a
/// decimal that reads back as an integer. A non-finite double (never stored: see
/// find_unstorable) is written as null.
void write_number(std::string& out, double d) {
  if (!std::isfinite(d)) {
    out += "null";
    return;
  }
  char buf[32];
  char* end = buf;
  constexpr double kTwo63 = 9223372036854775808.0;
  if (std::trunc(d) == d && d >= -kTwo63 && d < 2 * kTwo63) {
    end = d < kTwo63 ? std::to_chars(buf, buf + sizeof buf, static_cast<std::int64_t>(d)).ptr
                     : std::to_chars(buf, buf + sizeof buf, static_cast<std::uint64_t>(d)).ptr;
  } else {
    end = std::to_chars(buf, buf + sizeof buf, d).ptr;
  }
  out.append(buf, static_cast<std::size_t>(end - buf));
}

void write_value(std::string& out, const json::value& v) {
  switch (v.kind()) {
    case json::kind::double_:
      write_number(out, v.get_double());
      return;
    case json::kind::object: {
      out.push_back('{');
      bool first = true;
      for (const auto& kv : v.get_object()) {
        if (!first) out.push_back(',');
        first = false;
        out += json::serialize(json::string_view(kv.key()));
        out.push_back(':');
        write_value(out, kv.value());
      }
      out.push_back('}');
      return;
    }
    case json::kind::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& e : v.get_array()) {
        if (!first) out.push_back(',');
        first = false;
        write_value(out, e);
      }
      out.push_back(']');
      return;
    }
    default:
      out += json::serialize(v);
  }
}

}  // namespace

json::value timestamp_or_null(const std::optional<Timestamp>& t) {
  return t ? json::value(format_rfc3339(*t)) : json::value(nullptr);
}

std::string to_json_text(const json::value& v) {
  std::string out;
  write_value(out, v);
  return out;
}

// ---- Task ------------------------------------------------------------------------------------

void tag_invoke(json::value_from_tag, json::value& out, const Task& t) {
  json::object o;
  o["id"] = t.id;
  o["task_id"] = t.task_id;
  o["user_id"] = t.user_id;
  o["name"] = t.name;
  o["description"] = string_or_null(t.description);
  o["task_type"] = to_string(t.task_type);
  o["status"] = to_string(t.status);
  o["priority"] = to_string(t.priority);
  o["config"] = t.config;
  o["schedule"] = t.schedule ? json::value(*t.schedule) : json::value(nullptr);
  o["credits_per_run"] = t.credits_per_run;
  o["tags"] = string_array(t.tags);
  o["metadata"] = t.metadata;
  o["next_run_time"] = timestamp_or_null(t.next_run_time);
  o["last_run_time"] = timestamp_or_null(t.last_run_time);
  o["last_success_time"] = timestamp_or_null(t.last_success_time);
  o["last_error"] = string_or_null(t.last_error);
  o["last_result"] = t.last_result;
  o["run_count"] = t.run_count;
  o["success_count"] = t.success_count;
  o["failure_count"] = t.failure_count;
  o["total_credits_consumed"] = t.total_credits_consumed;
  o["due_date"] = timestamp_or_null(t.due_date);
  o["reminder_time"] = timestamp_or_null(t.reminder_time);
  o["is_completed"] = t.is_completed;
  o["completed_at"] = timestamp_or_null(t.completed_at);
  o["created_at"] = format_rfc3339(t.created_at);
  o["updated_at"] = format_rfc3339(t.updated_at);
  o["deleted_at"] = timestamp_or_null(t.deleted_at);
  out = std::move(o);
}

Task tag_invoke(json::value_to_tag<Task>, const json::value& v) {
  const Reader r(v);
  Task t;
  t.id = r.integer("id");
  t.task_id = r.str("task_id");
  t.user_id = r.str("user_id");
  t.name = r.str("name");
  t.description = r.opt_str("description");
  t.task_type = r.enumeration<TaskType>("task_type");
  t.status = r.enumeration<TaskStatus>("status");
  t.priority = r.enumeration<Priority>("priority");
  t.config = r.object("config");
  t.schedule = r.opt_object("schedule");
  t.credits_per_run = r.number("credits_per_run");
  t.tags = r.strings("tags");
  t.metadata = r.object("metadata");
  t.next_run_time = r.opt_time("next_run_time");
  t.last_run_time = r.opt_time("last_run_time");
  t.last_success_time = r.opt_time("last_success_time");
  t.last_error = r.opt_str("last_error");
  t.last_result = r.any("last_result");
  t.run_count = r.integer("run_count");
  t.success_count = r.integer("success_count");
  t.failure_count = r.integer("failure_count");
  t.total_credits_consumed = r.number("total_credits_consumed");
  t.due_date = r.opt_time("due_date");
  t.reminder_time = r.opt_time("reminder_time");
  t.is_completed = r.boolean("is_completed");
  t.completed_at = r.opt_time("completed_at");
  t.created_at = r.time("created_at");
  t.updated_at = r.time("updated_at");
  t.deleted_at = r.opt_time("deleted_at");
  return t;
}

// ---- Execution -------------------------------------------------------------------------------

void tag_invoke(json::value_from_tag, json::value& out, const Execution& e) {
  json::object o;
  o["id"] = e.id;
  o["execution_id"] = e.execution_id;
  o["task_id"] = e.task_id;
  o["user_id"] = e.user_id;
  o["status"] = to_string(e.status);
  o["trigger_type"] = to_string(e.trigger_type);
  o["trigger_data"] = e.trigger_data;
  o["scheduled_for"] = timestamp_or_null(e.scheduled_for);
  o["result"] = e.result;
  o["error_message"] = string_or_null(e.error_message);
  o["error_details"] = e.error_details;
  o["credits_consumed"] = e.credits_consumed;
  o["tokens_used"] = int_or_null(e.tokens_used);
  o["api_calls_made"] = e.api_calls_made;
  o["duration_ms"] = int_or_null(e.duration_ms);
  o["started_at"] = format_rfc3339(e.started_at);
  o["completed_at"] = timestamp_or_null(e.completed_at);
  o["created_at"] = format_rfc3339(e.created_at);
  out = std::move(o);
}

Execution tag_invoke(json::value_to_tag<Execution>, const json::value& v) {
  const Reader r(v);
  Execution e;
  e.id = r.integer("id");
  e.execution_id = r.str("execution_id");
  e.task_id = r.str("task_id");
  e.user_id = r.str("user_id");
  e.status = r.enumeration<ExecutionStatus>("status");
  e.trigger_type = r.enumeration<TriggerType>("trigger_type");
  e.trigger_data = r.object("trigger_data");
  e.scheduled_for = r.opt_time("scheduled_for");
  e.result = r.any("result");
  e.error_message = r.opt_str("error_message");
  e.error_details = r.any("error_details");
  e.credits_consumed = r.number("credits_consumed");
  e.tokens_used = r.opt_int("tokens_used");
  e.api_calls_made = r.integer("api_calls_made");
  e.duration_ms = r.opt_int("duration_ms");
  e.started_at = r.time("started_at");
  e.completed_at = r.opt_time("completed_at");
  e.created_at = r.time("created_at");
  return e;
}

// ---- Template --------------------------------------------------------------------------------

void tag_invoke(json::value_from_tag, json::value& out, const Template& t) {
  json::object o;
  o["id"] = t.id;
  o["template_id"] = t.template_id;
  o["name"] = t.name;
  o["description"] = string_or_null(t.description);
  o["category"] = to_string(t.category);
  o["task_type"] = to_string(t.task_type);
  o["default_config"] = t.default_config;
  o["required_fields"] = string_array(t.required_fields);
  o["optional_fields"] = string_array(t.optional_fields);
  o["config_schema"] = t.config_schema;
  o["required_subscription_level"] = to_string(t.required_subscription_level);
  o["credits_per_run"] = t.credits_per_run;
  o["tags"] = string_array(t.tags);
  o["metadata"] = t.metadata;
  o["is_active"] = t.is_active;
  o["created_at"] = format_rfc3339(t.created_at);
  o["updated_at"] = format_rfc3339(t.updated_at);
  out = std::move(o);
}

Template tag_invoke(json::value_to_tag<Template>, const json::value& v) {
  const Reader r(v);
  Template t;
  t.id = r.integer("id");
  t.template_id = r.str("template_id");
  t.name = r.str("name");
  t.description = r.opt_str("description");
  t.category = r.enumeration<TemplateCategory>("category");
  t.task_type = r.enumeration<TaskType>("task_type");
  t.default_config = r.object("default_config");
  t.required_fields = r.strings("required_fields");
  t.optional_fields = r.strings("optional_fields");
  t.config_schema = r.object("config_schema");
  t.required_subscription_level = r.enumeration<SubscriptionLevel>("required_subscription_level");
  t.credits_per_run = r.number("credits_per_run");
  t.tags = r.strings("tags");
  t.metadata = r.object("metadata");
  t.is_active = r.boolean("is_active", true);
  t.created_at = r.time("created_at");
  t.updated_at = r.time("updated_at");
  return t;
}

// ---- Analytics -------------------------------------------------------------------------------

void tag_invoke(json::value_from_tag, json::value& out, const Analytics& a) {
  json::object o;
  o["user_id"] = a.user_id;
  o["time_period"] = a.time_period;
  o["total_tasks"] = a.total_tasks;
  o["active_tasks"] = a.active_tasks;
  o["completed_tasks"] = a.completed_tasks;
  o["failed_tasks"] = a.failed_tasks;
  o["paused_tasks"] = a.paused_tasks;
  o["total_executions"] = a.total_executions;
  o["successful_executions"] = a.successful_executions;
  o["failed_executions"] = a.failed_executions;
  o["success_rate"] = a.success_rate;
  o["average_execution_time"] = a.average_execution_time;
  o["total_credits_consumed"] = a.total_credits_consumed;
  o["total_tokens_used"] = a.total_tokens_used;
  o["total_api_calls"] = a.total_api_calls;
  json::object dist;
  for (const auto& [type, n] : a.task_types_distribution)
    dist[type] = n;
  o["task_types_distribution"] = std::move(dist);
  json::array hours;
  for (int h : a.busiest_hours)
    hours.emplace_back(h);
  o["busiest_hours"] = std::move(hours);
  o["busiest_days"] = string_array(a.busiest_days);
  o["created_at"] = format_rfc3339(a.created_at);
  out = std::move(o);
}

Analytics tag_invoke(json::value_to_tag<Analytics>, const json::value& v) {
  const Reader r(v);
  Analytics a;
  a.user_id = r.str("user_id");
  a.time_period = r.str("time_period");
  a.total_tasks = r.integer("total_tasks");
  a.active_tasks = r.integer("active_tasks");
  a.completed_tasks = r.integer("completed_tasks");
  a.failed_tasks = r.integer("failed_tasks");
  a.paused_tasks = r.integer("paused_tasks");
  a.total_executions = r.integer("total_executions");
  a.successful_executions = r.integer("successful_executions");
  a.failed_executions = r.integer("failed_executions");
  a.success_rate = r.number("success_rate");
  a.average_execution_time = r.number("average_execution_time");
  a.total_credits_consumed = r.number("total_credits_consumed");
  a.total_tokens_used = r.integer("total_tokens_used");
  a.total_api_calls = r.integer("total_api_calls");
  for (const auto& [type, n] : r.object("task_types_distribution")) {
    if (!n.is_int64())
      Reader::fail("task_types_distribution", "counts must be integers", "int_type");
    a.task_types_distribution[std::string(type)] = n.as_int64();
  }
  if (const auto* hours = r.find("busiest_hours")) {
    if (!hours->is_array()) Reader::fail("busiest_hours", "must be an array", "list_type");
    for (const auto& h : hours->as_array()) {
      if (!h.is_int64()) Reader::fail("busiest_hours", "must be integers", "int_type");
      a.busiest_hours.push_back(static_cast<int>(h.as_int64()));
    }
  }
  a.busiest_days = r.strings("busiest_days");
  a.created_at = r.time("created_at");
  return a;
}

// ---- task list page ----------------------------------------------------------------------------

void tag_invoke(json::value_from_tag, json::value& out, const TaskList& list) {
  json::array tasks;
  tasks.reserve(list.tasks.size());
  for (const auto& t : list.tasks)
    tasks.push_back(json::value_from(t));
  json::object o;
  o["count"] = static_cast<std::int64_t>(list.tasks.size());
  o["tasks"] = std::move(tasks);
  o["total"] = list.total;
  o["limit"] = list.limit;
  o["offset"] = list.offset;
  o["next_cursor"] = list.next_cursor ? json::value(*list.next_cursor) : json::value(nullptr);
  o["filters"] = list.filters;
  out = std::move(o);
}

// ---- CloudEvents -----------------------------------------------------------------------------

json::object to_cloudevent(const Event& e) {
  json::object o;
  o["specversion"] = "1.0";
  o["id"] = e.id;
  o["source"] = "task_service";
  o["type"] = e.type;
  o["time"] = format_rfc3339(e.time);
  o["datacontenttype"] = "application/json";
  o["subject"] = e.task_id;
  if (!e.traceparent.empty()) o["traceparent"] = e.traceparent;
  if (!e.tracestate.empty()) o["tracestate"] = e.tracestate;
  o["data"] = e.data;
  return o;
}

std::optional<Event> from_cloudevent(const json::value& v) {
  const auto* o = v.if_object();
  if (!o) return std::nullopt;
  auto text = [&](std::string_view k) -> std::optional<std::string> {
    auto it = o->find(k);
    if (it == o->end() || !it->value().is_string()) return std::nullopt;
    return std::string(it->value().as_string());
  };
  const auto spec = text("specversion");
  const auto id = text("id");
  const auto type = text("type");
  const auto time = text("time");
  const auto source = text("source");
  auto data = o->find("data");
  if (spec != "1.0" || source != "task_service" || !id || !type || !time || data == o->end() ||
      !data->value().is_object())
    return std::nullopt;
  const auto t = parse_rfc3339(*time);
  if (!t) return std::nullopt;
  Event e;
  e.id = *id;
  e.type = *type;
  e.time = *t;
  e.data = data->value().as_object();
  e.traceparent = text("traceparent").value_or("");
  e.tracestate = text("tracestate").value_or("");
  auto field = [&](std::string_view k) {
    auto it = e.data.find(k);
    return it != e.data.end() && it->value().is_string() ? std::string(it->value().as_string())
                                                         : std::string();
  };
  e.task_id = field("task_id");
  e.user_id = field("user_id");
  return e;
}

}  // namespace task
