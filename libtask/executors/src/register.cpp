// register_providers, and the calendar client (task::clients) from a ProviderConfig.
#include "task/clients/calendar_client.hpp"
#include "task/executors/providers.hpp"

namespace task::executors {

std::shared_ptr<CalendarSync> make_calendar_client(const ProviderConfig& config) {
  return std::make_shared<clients::HttpCalendarSync>(
      config.calendar_url, clients::Timeouts{config.connect_timeout, config.read_timeout},
      config.outbound);
}

void register_providers(ExecutorRegistry& registry, const ProviderConfig& config,
                        std::shared_ptr<TaskStore> tasks, std::shared_ptr<Notifier> notifier,
                        std::shared_ptr<Clock> clock) {
  auto weather = make_weather_executor(config, notifier);
  auto news = make_news_executor(config, notifier);
  registry[TaskType::daily_weather] = weather;
  registry[TaskType::weather_alert] = weather;
  registry[TaskType::daily_news] = news;
  registry[TaskType::news_monitor] = news;
  registry[TaskType::price_tracker] = make_price_executor(config, notifier);
  registry[TaskType::data_backup] =
      make_backup_executor(config, std::move(tasks), std::move(clock));
}

}  // namespace task::executors
