// The calendar service client (CALENDAR_SERVICE_URL) and register_providers.
#include "provider_http.hpp"
#include "task/codec/json_codec.hpp"
#include "task/core/errors.hpp"

namespace task::executors {

namespace {

namespace json = boost::json;

class HttpCalendarSync final : public CalendarSync {
 public:
  explicit HttpCalendarSync(ProviderConfig config) : config_(std::move(config)) {}

  void upsert_event(const Task& task) override {
    if (!clients::parse_http_url(config_.calendar_url))
      throw Unavailable("calendar service is not configured (CALENDAR_SERVICE_URL)");
    json::value event_time = nullptr;
    if (const auto* t = task.config.if_contains("event_time"))
      event_time = *t;
    else
      event_time = timestamp_or_null(task.due_date);
    const json::object body{
        {"task_id", task.task_id},
        {"user_id", task.user_id},
        {"title", task.name},
        {"description", task.description ? json::value(*task.description) : json::value(nullptr)},
        {"event_time", event_time},
        {"due_date", timestamp_or_null(task.due_date)},
        {"reminder_time", timestamp_or_null(task.reminder_time)},
        {"status", to_string(task.status)},
        {"deleted", task.deleted_at.has_value()}};
    std::string base = config_.calendar_url;
    while (!base.empty() && base.back() == '/')
      base.pop_back();
    const auto url = base + "/events/" + clients::percent_encode(task.task_id);
    // The calendar service is configured by the operator: AddressPolicy::any (resolved once,
    // connected to the resolved address).
    const auto sent = detail::send_body("PUT", url, to_json_text(body), "application/json", config_,
                                        clients::AddressPolicy::any);
    if (!sent.error.empty()) throw Unavailable("calendar service unreachable: " + sent.error);
    if (sent.status < 200 || sent.status >= 300)
      throw Unavailable("calendar service answered HTTP " + std::to_string(sent.status));
  }

 private:
  ProviderConfig config_;
};

}  // namespace

std::shared_ptr<CalendarSync> make_calendar_client(const ProviderConfig& config) {
  return std::make_shared<HttpCalendarSync>(config);
}

void register_providers(ExecutorRegistry& registry, const ProviderConfig& config,
                        std::shared_ptr<TaskRepository> repository,
                        std::shared_ptr<Notifier> notifier, std::shared_ptr<Clock> clock) {
  auto weather = make_weather_executor(config, notifier);
  auto news = make_news_executor(config, notifier);
  registry[TaskType::daily_weather] = weather;
  registry[TaskType::weather_alert] = weather;
  registry[TaskType::daily_news] = news;
  registry[TaskType::news_monitor] = news;
  registry[TaskType::price_tracker] = make_price_executor(config, notifier);
  registry[TaskType::data_backup] =
      make_backup_executor(config, std::move(repository), std::move(clock));
}

}  // namespace task::executors
