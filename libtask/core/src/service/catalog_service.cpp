// TaskService: templates (docs/api.md §11), analytics and service stats.
#include <algorithm>
#include <chrono>

#include "../rules/field_errors.hpp"
#include "task/core/errors.hpp"
#include "task/rules/analytics.hpp"
#include "task/rules/recurrence.hpp"
#include "task/service/task_service.hpp"

namespace task {
namespace {

namespace json = boost::json;

/// `base` with `over` merged in, recursively for objects; `over` wins.
json::object deep_merge(json::object base, const json::object& over) {
  for (const auto& [key, value] : over) {
    auto* existing = base.if_contains(key);
    if (existing && existing->is_object() && value.is_object())
      *existing = deep_merge(existing->as_object(), value.as_object());
    else
      base[key] = value;
  }
  return base;
}

CreateTaskRequest request_from_template(const Template& tmpl, const FromTemplateRequest& req) {
  detail::Errors errs;
  auto config = deep_merge(tmpl.default_config, req.config);
  for (const auto& f : tmpl.required_fields) {
    const bool top = std::find(req.present_fields.begin(), req.present_fields.end(), f) !=
                     req.present_fields.end();
    if (!config.contains(f) && !top)
      errs.add({"body", "config", f}, "Field required by template " + tmpl.template_id, "missing");
  }
  errs.throw_if_any();
  CreateTaskRequest c;
  c.name = req.name.value_or(tmpl.name);
  c.description = req.description ? req.description : tmpl.description;
  c.task_type = tmpl.task_type;
  c.priority = req.priority.value_or(Priority::medium);
  c.schedule = req.schedule;
  c.credits_per_run = tmpl.credits_per_run;
  c.tags = req.tags.value_or(tmpl.tags);
  c.metadata = req.metadata.value_or(json::object{});
  if (!c.metadata.contains("template_id")) c.metadata["template_id"] = tmpl.template_id;
  c.due_date = req.due_date;
  c.reminder_time = req.reminder_time;
  if (req.recurrence) {  // a recurring todo from a template (docs/api.md §16)
    check_recurrence_fits(c.task_type, c.due_date);
    c.recurrence = req.recurrence;
  }
  c.config = validate_config(c.task_type, std::move(config), c.name, c.due_date);
  return c;
}

}  // namespace

std::vector<Template> TaskService::list_templates(const Caller& caller, const QueryParams& params) {
  detail::Errors errs;
  TemplateFilter f;
  if (const auto* s = query_value(params, "category"))
    f.category = detail::read_enum_text<TemplateCategory>(*s, {"query", "category"}, errs);
  if (const auto* s = query_value(params, "task_type"))
    f.task_type = detail::read_enum_text<TaskType>(*s, {"query", "task_type"}, errs);
  errs.throw_if_any();
  return list_templates(caller, f);
}

std::vector<Template> TaskService::list_templates(const Caller& caller,
                                                  const TemplateFilter& filter) {
  TemplateQuery q;
  q.category = filter.category;
  q.task_type = filter.task_type;
  q.max_level = level_of(caller);
  q.active_only = true;
  return ports_.catalog->list_templates(q);
}

Task TaskService::create_from_template(const Caller& who, const json::value& body) {
  Caller caller = who;
  caller.level = level_of(who);  // looked up once for the gate and the quota
  const auto now = ports_.clock->now();
  const auto req = parse_from_template_request(body, now);
  const auto tmpl = ports_.catalog->find_template(req.template_id);
  if (!tmpl || !tmpl->is_active) throw NotFound("template", req.template_id);
  if (!level_at_least(*caller.level, tmpl->required_subscription_level))
    throw UpgradeRequired(std::string(to_string(tmpl->required_subscription_level)));
  const auto create = request_from_template(*tmpl, req);
  return insert_new_task(caller,
                         build_new_task(create, ports_.ids->task_id(), caller.user_id, now));
}

Analytics TaskService::analytics(const Caller& caller, const QueryParams& params) {
  const int days = parse_int_param(params, "days", 1, 365, 30);
  std::optional<std::string> tz;
  if (const auto* s = query_value(params, "tz"); s && !s->empty()) tz = *s;
  return analytics(caller, days, tz);
}

Analytics TaskService::analytics(const Caller& caller, int days,
                                 const std::optional<std::string>& tz) {
  if (days < 1 || days > 365)
    throw ValidationError({"query", "days"}, "days should be between 1 and 365");
  const auto now = ports_.clock->now();
  const auto since = now - std::chrono::hours{24} * days;
  compute_analytics(caller.user_id, days, {}, {}, tz, now);  // validates tz before any I/O
  const auto counts = ports_.stats->count_tasks_by(std::string_view(caller.user_id));
  const auto totals = ports_.stats->execution_totals(std::string_view(caller.user_id), since);
  return compute_analytics(caller.user_id, days, counts, totals, tz, now);
}

ServiceStats TaskService::service_stats(const Caller& caller) {
  if (!caller.internal) throw PermissionDenied("service.stats");
  const auto now = ports_.clock->now();
  auto& stats = *ports_.stats;
  ServiceStats s;
  s.generated_at = now;
  s.tasks = stats.count_tasks_by(std::nullopt);
  s.last_1_day = stats.execution_totals(std::nullopt, now - std::chrono::hours{24});
  s.last_7_days = stats.execution_totals(std::nullopt, now - std::chrono::hours{24 * 7});
  s.last_30_days = stats.execution_totals(std::nullopt, now - std::chrono::hours{24 * 30});
  if (auto due = ports_.schedule->earliest_due_time(); due && *due < now)
    s.scheduler_lag_seconds = std::chrono::duration<double>(now - *due).count();
  s.outbox_backlog = ports_.outbox->outbox_backlog().first;
  return s;
}

}  // namespace task
