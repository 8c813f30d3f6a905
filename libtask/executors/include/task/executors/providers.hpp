#pragma once
/// Provider executors (docs/api.md §10b): daily_weather, weather_alert, daily_news, news_monitor,
/// price_tracker and data_backup, plus the calendar service client. Request and response shapes
/// of the providers are documented in docs/providers.md.
///
///   task::ExecutorRegistry registry;
///   task::executors::register_providers(registry, config, repository, notifier);
///
/// Ownership: register_providers puts executors into the caller's registry; each executor owns a
/// copy of the ProviderConfig and shares ownership of the collaborators it is given (repository,
/// notifier, clock). Thread-safety: executors are called from worker threads, several at once, and
/// keep no per-run state; they are safe to run concurrently when their collaborators are (the
/// bundled ones are).
#include <chrono>
#include <memory>
#include <string>

#include "task/clients/outbound.hpp"
#include "task/ports/clock.hpp"
#include "task/ports/collaborators.hpp"
#include "task/ports/executor.hpp"
#include "task/ports/task_store.hpp"

namespace task::executors {

/// Where the providers live and how long to wait for them. An empty URL = not configured: runs of
/// that type fail with PROVIDER_NOT_CONFIGURED.
struct ProviderConfig {
  std::string weather_url;   ///< TASK_WEATHER_PROVIDER_URL, e.g. http://weather.internal:8080
  std::string news_url;      ///< TASK_NEWS_PROVIDER_URL
  std::string price_url;     ///< TASK_PRICE_PROVIDER_URL
  std::string calendar_url;  ///< CALENDAR_SERVICE_URL
  std::string data_dir = "./data";          ///< data_backup writes under <data_dir>/backups/
  bool allow_private_destinations = false;  ///< data_backup `destination` on loopback/private IPs
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds read_timeout{10000};
  clients::Outbound outbound;  ///< resolver and transport of every call (tests replace them)
};

/// Runs daily_weather (report) and weather_alert (alert_conditions) against the weather provider.
std::shared_ptr<Executor> make_weather_executor(const ProviderConfig& config,
                                                std::shared_ptr<Notifier> notifier);
/// Runs daily_news (digest) and news_monitor (new articles matching keywords).
std::shared_ptr<Executor> make_news_executor(const ProviderConfig& config,
                                             std::shared_ptr<Notifier> notifier);
/// Runs price_tracker: notifies when price <= target_price.
std::shared_ptr<Executor> make_price_executor(const ProviderConfig& config,
                                              std::shared_ptr<Notifier> notifier);
/// Runs data_backup: exports the owner's tasks (and optionally executions) as JSON to a file
/// under the data directory or to an HTTP `destination`.
std::shared_ptr<Executor> make_backup_executor(const ProviderConfig& config,
                                               std::shared_ptr<TaskStore> tasks,
                                               std::shared_ptr<Clock> clock);

/// Adds the provider executors for daily_weather, weather_alert, daily_news, news_monitor,
/// price_tracker and data_backup to `registry` (replacing entries of those types). `notifier`
/// may be null (no notifications); `clock` defaults to the system clock.
void register_providers(ExecutorRegistry& registry, const ProviderConfig& config,
                        std::shared_ptr<TaskStore> tasks, std::shared_ptr<Notifier> notifier,
                        std::shared_ptr<Clock> clock = nullptr);

/// The calendar service client (task::clients::HttpCalendarSync, CALENDAR_SERVICE_URL) with the
/// config's URL, timeouts and outbound hooks: PUT {base}/events/{task_id}. Throws
/// task::Unavailable when the service cannot be reached or answers non-2xx.
std::shared_ptr<CalendarSync> make_calendar_client(const ProviderConfig& config);

}  // namespace task::executors
