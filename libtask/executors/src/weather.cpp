// daily_weather and weather_alert over the weather provider (docs/providers.md).
#include <boost/json/serialize.hpp>
#include <cmath>

#include "provider_http.hpp"

namespace task::executors {

namespace {

namespace json = boost::json;
using detail::as_number;

/// Looks up `field` in the provider's answer; a dotted path ("wind.speed") walks objects.
const json::value* find_field(const json::object& weather, std::string_view field) {
  const json::object* obj = &weather;
  while (true) {
    const auto dot = field.find('.');
    const auto* v = obj->if_contains(field.substr(0, dot));
    if (!v || dot == std::string_view::npos) return v;
    if (!v->is_object()) return nullptr;
    obj = &v->get_object();
    field = field.substr(dot + 1);
  }
}

/// Evaluates `actual <op> expected`; nullopt when the operator or the types do not fit.
std::optional<bool> compare(const json::value& actual, std::string_view op,
                            const json::value& expected) {
  const auto a = as_number(actual), e = as_number(expected);
  if (a && e) {
    if (op == ">") return *a > *e;
    if (op == ">=") return *a >= *e;
    if (op == "<") return *a < *e;
    if (op == "<=") return *a <= *e;
    if (op == "==") return std::fabs(*a - *e) < 1e-9;
    if (op == "!=") return std::fabs(*a - *e) >= 1e-9;
    return std::nullopt;
  }
  if (actual.is_string() && expected.is_string()) {
    if (op == "==") return actual.get_string() == expected.get_string();
    if (op == "!=") return actual.get_string() != expected.get_string();
  }
  if (actual.is_bool() && expected.is_bool()) {
    if (op == "==") return actual.get_bool() == expected.get_bool();
    if (op == "!=") return actual.get_bool() != expected.get_bool();
  }
  return std::nullopt;
}

struct Evaluation {
  json::array matched;
  json::array problems;  ///< conditions that could not be evaluated, with the reason
};

/// Evaluates every condition of `{"field": {"operator": ">", "value": 30}, ...}`.
Evaluation evaluate_conditions(const json::object& conditions, const json::object& weather) {
  Evaluation ev;
  for (const auto& [field, cond] : conditions) {
    const std::string name(field);
    const auto* op = cond.is_object() ? cond.get_object().if_contains("operator") : nullptr;
    const auto* expected = cond.is_object() ? cond.get_object().if_contains("value") : nullptr;
    if (!op || !op->is_string() || !expected) {
      ev.problems.push_back({{"field", name}, {"reason", "needs operator and value"}});
      continue;
    }
    const auto* actual = find_field(weather, name);
    if (!actual) {
      ev.problems.push_back({{"field", name}, {"reason", "not in the provider's response"}});
      continue;
    }
    const auto verdict = compare(*actual, op->get_string(), *expected);
    if (!verdict) {
      ev.problems.push_back(
          {{"field", name}, {"reason", "operator does not apply to these values"}});
    } else if (*verdict) {
      ev.matched.push_back(
          {{"field", name}, {"operator", *op}, {"value", *expected}, {"actual", *actual}});
    }
  }
  return ev;
}

std::string describe(const json::value& v) {
  return v.is_string() ? std::string(v.get_string()) : json::serialize(v);
}

class WeatherExecutor final : public detail::ProviderExecutor {
 public:
  using ProviderExecutor::ProviderExecutor;

  RunOutcome run(const RunContext& ctx) override {
    if (config_.weather_url.empty())
      return detail::not_configured("weather provider", "TASK_WEATHER_PROVIDER_URL");
    const auto& cfg = ctx.task.config;
    const auto* location = cfg.if_contains("location");
    if (!location || !location->is_string() || location->get_string().empty())
      return RunOutcome::fail("config.location is required", "INVALID_CONFIG");
    std::vector<std::pair<std::string, std::string>> query{
        {"location", std::string(location->get_string())}};
    if (const auto* units = cfg.if_contains("units"); units && units->is_string())
      query.emplace_back("units", std::string(units->get_string()));
    auto fetched =
        detail::get_json("weather provider", config_.weather_url, "/weather", query, config_);
    if (fetched.failure) return *fetched.failure;
    const auto& weather = fetched.json.get_object();
    if (ctx.task.task_type == TaskType::weather_alert) return alert(ctx, weather);
    return report(ctx, weather);
  }

 private:
  RunOutcome report(const RunContext& ctx, const json::object& weather) {
    std::string summary = std::string(ctx.task.config.at("location").get_string()) + ":";
    if (const auto* t = weather.if_contains("temperature")) summary += " " + describe(*t);
    if (const auto* c = weather.if_contains("conditions")) summary += ", " + describe(*c);
    const auto note = note_for(ctx, "daily_weather", "Weather: " + ctx.task.name, summary,
                               json::object{{"weather", weather}});
    json::object result{
        {"location", ctx.task.config.at("location")}, {"weather", weather}, {"summary", summary}};
    return finish(note, std::move(result));
  }

  RunOutcome alert(const RunContext& ctx, const json::object& weather) {
    const auto* conditions = ctx.task.config.if_contains("alert_conditions");
    if (!conditions || !conditions->is_object())
      return RunOutcome::fail("config.alert_conditions must be an object", "INVALID_CONFIG");
    auto ev = evaluate_conditions(conditions->get_object(), weather);
    const bool triggered = !ev.matched.empty();
    json::object result{{"location", ctx.task.config.at("location")},
                        {"weather", weather},
                        {"alert_triggered", triggered},
                        {"matched_conditions", ev.matched},
                        {"notified", false}};
    if (!ev.problems.empty()) result["unevaluated_conditions"] = ev.problems;
    std::optional<Notification> note;
    if (triggered) {
      std::string msg;
      for (const auto& m : ev.matched) {
        const auto& o = m.get_object();
        if (!msg.empty()) msg += "; ";
        msg += describe(o.at("field")) + " " + describe(o.at("actual")) + " " +
               describe(o.at("operator")) + " " + describe(o.at("value"));
      }
      note = note_for(ctx, "weather_alert",
                      "Weather alert: " + describe(ctx.task.config.at("location")), msg,
                      json::object{{"matched_conditions", ev.matched}, {"weather", weather}});
    }
    return finish(note, std::move(result));
  }
};

}  // namespace

std::shared_ptr<Executor> make_weather_executor(const ProviderConfig& config,
                                                std::shared_ptr<Notifier> notifier) {
  return detail::make_provider_executor<WeatherExecutor>(config, std::move(notifier));
}

}  // namespace task::executors
