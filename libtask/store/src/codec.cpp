#include "codec.hpp"

#include <sstream>

namespace task::store::detail {

namespace {

/// Builds matching column and value lists.
struct ValueList {
  std::string columns;
  std::string values;
  std::string assignments;
  void add(const char* column, const std::string& placeholder) {
    if (!columns.empty()) {
      columns += ", ";
      values += ", ";
      assignments += ", ";
    }
    columns += column;
    values += placeholder;
    assignments += std::string(column) + " = " + placeholder;
  }
};

boost::json::object as_object(const boost::json::value& v) {
  return v.is_object() ? v.as_object() : boost::json::object{};
}

std::optional<boost::json::object> as_opt_object(const boost::json::value& v) {
  if (v.is_object()) return v.as_object();
  return std::nullopt;
}

std::string object_text(const boost::json::object& o) {
  return *json_text(boost::json::value(o), false);
}

ValueList task_list(const Dialect& d, const Task& t, Params& p) {
  ValueList v;
  v.add("task_id", p.add(t.task_id));
  v.add("user_id", p.add(t.user_id));
  v.add("name", p.add(t.name));
  v.add("description", p.add(t.description));
  v.add("task_type", p.add(std::string(to_string(t.task_type))));
  v.add("status", p.add(std::string(to_string(t.status))));
  v.add("priority", p.add(std::string(to_string(t.priority))));
  v.add("config", d.json_in(p.add(object_text(t.config))));
  std::optional<std::string> schedule;
  if (t.schedule) schedule = object_text(*t.schedule);
  v.add("schedule", d.json_in(p.add(schedule)));
  v.add("credits_per_run", p.add(t.credits_per_run));
  v.add("tags", d.tags_in(p.add(tags_text(d, t.tags))));
  v.add("metadata", d.json_in(p.add(object_text(t.metadata))));
  v.add("next_run_time", p.add(t.next_run_time));
  v.add("last_run_time", p.add(t.last_run_time));
  v.add("last_success_time", p.add(t.last_success_time));
  v.add("last_error", p.add(t.last_error));
  v.add("last_result", d.json_in(p.add(json_text(t.last_result, true))));
  v.add("run_count", p.add(t.run_count));
  v.add("success_count", p.add(t.success_count));
  v.add("failure_count", p.add(t.failure_count));
  v.add("total_credits_consumed", p.add(t.total_credits_consumed));
  v.add("due_date", p.add(t.due_date));
  v.add("reminder_time", p.add(t.reminder_time));
  v.add("is_completed", p.add(t.is_completed));
  v.add("completed_at", p.add(t.completed_at));
  v.add("created_at", p.add(t.created_at));
  v.add("updated_at", p.add(t.updated_at));
  v.add("deleted_at", p.add(t.deleted_at));
  v.add("version", p.add(t.version));
  v.add("lease_owner", p.add(t.lease_owner));
  v.add("lease_expires_at", p.add(t.lease_expires_at));
  v.add("reminder_sent_at", p.add(t.reminder_sent_at));
  return v;
}

}  // namespace

std::string task_columns(const Dialect& d) {
  return "id, task_id, user_id, name, description, task_type, status, priority, " +
         d.json_out("config") + ", " + d.json_out("schedule") + ", credits_per_run, " +
         d.tags_out("tags") + ", " + d.json_out("metadata") +
         ", next_run_time, last_run_time, last_success_time, last_error, " +
         d.json_out("last_result") +
         ", run_count, success_count, failure_count, total_credits_consumed, due_date, "
         "reminder_time, " +
         d.bool_out("is_completed") +
         ", completed_at, created_at, updated_at, deleted_at, version, lease_owner, "
         "lease_expires_at, reminder_sent_at";
}

Task task_from_row(const soci::row& r) {
  Task t;
  t.id = col_i64(r, 0);
  t.task_id = col_str(r, 1);
  t.user_id = col_str(r, 2);
  t.name = col_str(r, 3);
  t.description = col_opt_str(r, 4);
  t.task_type = stored_enum<TaskType>(col_str(r, 5));
  t.status = stored_enum<TaskStatus>(col_str(r, 6));
  t.priority = stored_enum<Priority>(col_str(r, 7));
  t.config = as_object(col_json(r, 8));
  t.schedule = as_opt_object(col_json(r, 9));
  t.credits_per_run = col_double(r, 10);
  t.tags = col_strings(r, 11);
  t.metadata = as_object(col_json(r, 12));
  t.next_run_time = col_opt_time(r, 13);
  t.last_run_time = col_opt_time(r, 14);
  t.last_success_time = col_opt_time(r, 15);
  t.last_error = col_opt_str(r, 16);
  t.last_result = col_json(r, 17);
  t.run_count = col_i64(r, 18);
  t.success_count = col_i64(r, 19);
  t.failure_count = col_i64(r, 20);
  t.total_credits_consumed = col_double(r, 21);
  t.due_date = col_opt_time(r, 22);
  t.reminder_time = col_opt_time(r, 23);
  t.is_completed = col_i64(r, 24) != 0;
  t.completed_at = col_opt_time(r, 25);
  t.created_at = col_time(r, 26);
  t.updated_at = col_time(r, 27);
  t.deleted_at = col_opt_time(r, 28);
  t.version = col_i64(r, 29);
  t.lease_owner = col_opt_str(r, 30);
  t.lease_expires_at = col_opt_time(r, 31);
  t.reminder_sent_at = col_opt_time(r, 32);
  return t;
}

std::pair<std::string, std::string> task_values(const Dialect& d, const Task& t, Params& p) {
  auto v = task_list(d, t, p);
  return {v.columns, v.values};
}

std::string task_assignments(const Dialect& d, const Task& t, Params& p) {
  return task_list(d, t, p).assignments;
}

std::string execution_columns(const Dialect& d) {
  return "id, execution_id, task_id, user_id, status, trigger_type, " + d.json_out("trigger_data") +
         ", scheduled_for, " + d.json_out("result") + ", error_message, " +
         d.json_out("error_details") +
         ", credits_consumed, tokens_used, api_calls_made, duration_ms, started_at, "
         "completed_at, created_at";
}

Execution execution_from_row(const soci::row& r) {
  Execution e;
  e.id = col_i64(r, 0);
  e.execution_id = col_str(r, 1);
  e.task_id = col_str(r, 2);
  e.user_id = col_str(r, 3);
  e.status = stored_enum<ExecutionStatus>(col_str(r, 4));
  e.trigger_type = stored_enum<TriggerType>(col_str(r, 5));
  e.trigger_data = as_object(col_json(r, 6));
  e.scheduled_for = col_opt_time(r, 7);
  e.result = col_json(r, 8);
  e.error_message = col_opt_str(r, 9);
  e.error_details = col_json(r, 10);
  e.credits_consumed = col_double(r, 11);
  e.tokens_used = col_opt_i64(r, 12);
  e.api_calls_made = col_i64(r, 13);
  e.duration_ms = col_opt_i64(r, 14);
  e.started_at = col_time(r, 15);
  e.completed_at = col_opt_time(r, 16);
  e.created_at = col_time(r, 17);
  return e;
}

std::pair<std::string, std::string> execution_values(const Dialect& d, const Execution& e,
                                                     Params& p) {
  ValueList v;
  v.add("execution_id", p.add(e.execution_id));
  v.add("task_id", p.add(e.task_id));
  v.add("user_id", p.add(e.user_id));
  v.add("status", p.add(std::string(to_string(e.status))));
  v.add("trigger_type", p.add(std::string(to_string(e.trigger_type))));
  v.add("trigger_data", d.json_in(p.add(object_text(e.trigger_data))));
  v.add("scheduled_for", p.add(e.scheduled_for));
  v.add("result", d.json_in(p.add(json_text(e.result, true))));
  v.add("error_message", p.add(e.error_message));
  v.add("error_details", d.json_in(p.add(json_text(e.error_details, true))));
  v.add("credits_consumed", p.add(e.credits_consumed));
  v.add("tokens_used", p.add(e.tokens_used));
  v.add("api_calls_made", p.add(e.api_calls_made));
  v.add("duration_ms", p.add(e.duration_ms));
  v.add("started_at", p.add(e.started_at));
  v.add("completed_at", p.add(e.completed_at));
  v.add("created_at", p.add(e.created_at));
  return {v.columns, v.values};
}

std::string template_columns(const Dialect& d) {
  return "id, template_id, name, description, category, task_type, " +
         d.json_out("default_config") + ", " + d.tags_out("required_fields") + ", " +
         d.tags_out("optional_fields") + ", " + d.json_out("config_schema") +
         ", required_subscription_level, credits_per_run, " + d.tags_out("tags") + ", " +
         d.json_out("metadata") + ", " + d.bool_out("is_active") + ", created_at, updated_at";
}

Template template_from_row(const soci::row& r) {
  Template t;
  t.id = col_i64(r, 0);
  t.template_id = col_str(r, 1);
  t.name = col_str(r, 2);
  t.description = col_opt_str(r, 3);
  t.category = stored_enum<TemplateCategory>(col_str(r, 4));
  t.task_type = stored_enum<TaskType>(col_str(r, 5));
  t.default_config = as_object(col_json(r, 6));
  t.required_fields = col_strings(r, 7);
  t.optional_fields = col_strings(r, 8);
  t.config_schema = as_object(col_json(r, 9));
  t.required_subscription_level = stored_enum<SubscriptionLevel>(col_str(r, 10));
  t.credits_per_run = col_double(r, 11);
  t.tags = col_strings(r, 12);
  t.metadata = as_object(col_json(r, 13));
  t.is_active = col_i64(r, 14) != 0;
  t.created_at = col_time(r, 15);
  t.updated_at = col_time(r, 16);
  return t;
}

std::pair<std::string, std::string> template_values(const Dialect& d, const Template& t,
                                                    Params& p) {
  ValueList v;
  v.add("template_id", p.add(t.template_id));
  v.add("name", p.add(t.name));
  v.add("description", p.add(t.description));
  v.add("category", p.add(std::string(to_string(t.category))));
  v.add("task_type", p.add(std::string(to_string(t.task_type))));
  v.add("default_config", d.json_in(p.add(object_text(t.default_config))));
  v.add("required_fields", d.tags_in(p.add(tags_text(d, t.required_fields))));
  v.add("optional_fields", d.tags_in(p.add(tags_text(d, t.optional_fields))));
  v.add("config_schema", d.json_in(p.add(object_text(t.config_schema))));
  v.add("required_subscription_level",
        p.add(std::string(to_string(t.required_subscription_level))));
  v.add("credits_per_run", p.add(t.credits_per_run));
  v.add("tags", d.tags_in(p.add(tags_text(d, t.tags))));
  v.add("metadata", d.json_in(p.add(object_text(t.metadata))));
  v.add("is_active", p.add(t.is_active));
  v.add("created_at", p.add(t.created_at));
  v.add("updated_at", p.add(t.updated_at));
  return {v.columns, v.values};
}

std::string excluded_assignments(const std::string& columns) {
  std::string out;
  std::istringstream in(columns);
  std::string col;
  while (std::getline(in, col, ',')) {
    const auto b = col.find_first_not_of(' ');
    col = col.substr(b);
    out += (out.empty() ? "" : ", ") + col + " = excluded." + col;
  }
  return out;
}

}  // namespace task::store::detail
