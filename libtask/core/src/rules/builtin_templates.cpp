// The built-in templates (docs/api.md §11), defined once for every backend.
#include "task/rules/builtin_templates.hpp"

#include <boost/json/parse.hpp>

namespace task {
namespace {

struct Spec {
  const char* id;
  const char* name;
  const char* description;
  TemplateCategory category;
  TaskType type;
  SubscriptionLevel level;
  double credits;
  const char* default_config;  // JSON text
  std::vector<std::string> required;
  std::vector<std::string> optional;
  std::vector<std::string> tags;
};

const std::vector<Spec>& specs() {
  using C = TemplateCategory;
  using T = TaskType;
  using L = SubscriptionLevel;
  static const std::vector<Spec> kSpecs{
      {"tpl_daily_weather",
       "Daily Weather Report",
       "The forecast for a location, every day.",
       C::monitoring,
       T::daily_weather,
       L::free,
       1,
       R"({"units":"metric"})",
       {"location"},
       {"units"},
       {"weather"}},
      {"tpl_daily_news",
       "Daily News Digest",
       "Top headlines for chosen categories.",
       C::monitoring,
       T::daily_news,
       L::free,
       1,
       R"({"categories":["general"],"max_articles":10})",
       {},
       {"categories", "max_articles", "language"},
       {"news"}},
      {"tpl_news_monitor",
       "News Keyword Monitor",
       "Notifies on new articles matching keywords.",
       C::monitoring,
       T::news_monitor,
       L::basic,
       2,
       R"({"language":"en"})",
       {"keywords"},
       {"language", "sources"},
       {"news", "monitoring"}},
      {"tpl_weather_alert",
       "Heat Alert",
       "Alerts when the temperature goes above 30 degrees.",
       C::alerts,
       T::weather_alert,
       L::basic,
       1,
       R"({"alert_conditions":{"temperature":{"operator":">","value":30}}})",
       {"location"},
       {"alert_conditions"},
       {"weather", "alerts"}},
      {"tpl_price_tracker",
       "Price Drop Tracker",
       "Notifies when a product reaches a target price.",
       C::alerts,
       T::price_tracker,
       L::pro,
       3,
       R"({"currency":"USD"})",
       {"product_url", "target_price"},
       {"currency"},
       {"shopping", "alerts"}},
      {"tpl_data_backup",
       "Data Backup",
       "Exports your tasks and their history as JSON.",
       C::productivity,
       T::data_backup,
       L::pro,
       5,
       R"({"include_executions":true})",
       {},
       {"include_executions", "destination"},
       {"backup"}},
      {"tpl_todo",
       "Simple Todo",
       "A todo item with an optional due date.",
       C::productivity,
       T::todo,
       L::free,
       0,
       R"({})",
       {},
       {"due_date"},
       {"todo"}},
      {"tpl_reminder",
       "Reminder",
       "Notifies you once at the reminder time.",
       C::productivity,
       T::reminder,
       L::free,
       0,
       R"({})",
       {"reminder_time"},
       {"message"},
       {"reminder"}},
      {"tpl_calendar_event",
       "Calendar Event",
       "An event on your calendar.",
       C::calendar,
       T::calendar_event,
       L::free,
       0,
       R"({})",
       {"event_time"},
       {"location", "duration_minutes"},
       {"calendar"}},
      {"tpl_custom_webhook",
       "Custom Webhook",
       "Calls an HTTP endpoint on a schedule.",
       C::custom,
       T::custom,
       L::basic,
       1,
       R"({"method":"POST","timeout_ms":10000})",
       {"url"},
       {"method", "headers", "body", "timeout_ms", "expect_status"},
       {"webhook"}},
  };
  return kSpecs;
}

boost::json::object schema_for(const Spec& s) {
  boost::json::object schema{{"type", "object"}};
  boost::json::array req;
  for (const auto& f : s.required)
    req.emplace_back(f);
  schema["required"] = std::move(req);
  return schema;
}

}  // namespace

std::vector<Template> builtin_templates(Timestamp at) {
  std::vector<Template> out;
  for (const auto& s : specs()) {
    Template t;
    t.template_id = s.id;
    t.name = s.name;
    t.description = s.description;
    t.category = s.category;
    t.task_type = s.type;
    t.default_config = boost::json::parse(s.default_config).as_object();
    t.required_fields = s.required;
    t.optional_fields = s.optional;
    t.config_schema = schema_for(s);
    t.required_subscription_level = s.level;
    t.credits_per_run = s.credits;
    t.tags = s.tags;
    t.metadata = boost::json::object{{"builtin", true}};
    t.created_at = at;
    t.updated_at = at;
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace task
