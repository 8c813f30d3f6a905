#include "task/runtime/runtime.hpp"

#include <map>
#include <memory>
#include <mutex>

#include "task/clients/account_client.hpp"
#include "task/clients/notification_client.hpp"
#include "task/clients/notify_executor.hpp"
#include "task/clients/webhook_executor.hpp"
#include "task/core/errors.hpp"
#include "task/events/event_system.hpp"
#include "task/runtime/log.hpp"
#include "task/service/scheduler.hpp"
#if TASK_WITH_EXECUTORS
#include "task/executors/providers.hpp"
#endif

#include <unistd.h>

#include <algorithm>

namespace task::runtime {

std::shared_ptr<ExecutorRegistry> make_executors(const Config& config,
                                                 std::shared_ptr<Notifier> notifier) {
  auto reg = std::make_shared<ExecutorRegistry>();
  auto notify = std::make_shared<clients::NotifyExecutor>(std::move(notifier));
  for (auto t : {TaskType::todo, TaskType::reminder, TaskType::calendar_event})
    (*reg)[t] = notify;
  clients::WebhookOptions w;
  w.allow_private = config.webhook_allow_private;
  (*reg)[TaskType::custom] = std::make_shared<clients::WebhookExecutor>(w);
  return reg;
}

Runtime::Runtime(Config config, std::shared_ptr<Clock> clock)
    : config_(std::move(config)), clock_(std::move(clock)) {
  set_log_level(config_.log_level);
  log_line(LogLevel::info, "configuration", {{"effective", config_.describe()}});
  if (!clock_) clock_ = std::make_shared<SystemClock>();
  ids_ = std::make_shared<RandomIdGenerator>();
  repository_ = open_repository(config_, database_kind_);
  // One line per damaged row and minute (every skip is still counted in /metrics).
  repository_->set_unreadable_row_hook(
      [logged = std::make_shared<std::pair<std::mutex, std::map<std::string, Timestamp>>>()](
          const Unreadable& e) {
        const Timestamp now = std::chrono::time_point_cast<std::chrono::microseconds>(
            std::chrono::system_clock::now());
        {
          std::lock_guard lock(logged->first);
          auto& last = logged->second[e.table + " " + e.id];
          if (last != Timestamp{} && now - last < std::chrono::minutes(1)) return;
          last = now;
          if (logged->second.size() > 10000) logged->second.clear();
        }
        log_line(LogLevel::warn, "unreadable row skipped",
                 {{"table", e.table}, {"id", e.id}, {"reason", e.reason}});
      });
  if (!config_.notification_service_url.empty())
    notifier_ = std::make_shared<clients::HttpNotifier>(config_.notification_service_url);
  if (!config_.account_service_url.empty())
    subscriptions_ = std::make_shared<clients::AccountDirectory>(config_.account_service_url);
  executors_ = make_executors(config_, notifier_);
#if TASK_WITH_EXECUTORS
  executors::ProviderConfig providers;
  providers.weather_url = config_.weather_provider_url;
  providers.news_url = config_.news_provider_url;
  providers.price_url = config_.price_provider_url;
  providers.calendar_url = config_.calendar_service_url;
  providers.data_dir = config_.data_dir;
  providers.allow_private_destinations = config_.webhook_allow_private;
  executors::register_providers(*executors_, providers, repository_, notifier_, clock_);
#endif
  RunTimeouts timeouts;  // one table for manual and scheduled runs
  ServiceOptions options;
  options.timeouts = timeouts;
  options.default_level =
      parse_enum<SubscriptionLevel>(config_.default_tier).value_or(SubscriptionLevel::basic);
  service_ = std::make_unique<TaskService>(
      service_ports(repository_, clock_, ids_, executors_, subscriptions_), options);
  const auto workers = static_cast<std::size_t>(std::max(config_.workers, 1));
  workers_ = std::make_unique<WorkerPool>(workers, workers * 16);
  if (config_.relay_events) {
    events::EventBusConfig bus;
    bus.nats_url = config_.nats_url;
    bus.mqtt_url = config_.mqtt_url;
    bus.nats.stream_replicas = config_.nats_stream_replicas;
    if (auto it = config_.values.find("service-name"); it != config_.values.end())
      bus.nats.name = it->second;
    events_ = events::start_event_bus(bus, repository_, clock_, ids_,
                                      [](std::string_view level, std::string_view line) {
                                        log_preformatted(parse_log_level(level), line);
                                      });
    if (auto* in_process = events_->in_process(); in_process && log_enabled(LogLevel::debug))
      in_process->subscribe("*", [](const Event& e) {
        log_line(LogLevel::debug, "event",
                 {{"type", e.type}, {"id", e.id}, {"task_id", e.task_id}});
      });
  }
  make_scheduler(timeouts);
  if (config_.scheduler) {
    scheduler_->start();
    pruner_->start();
    log_line(LogLevel::info, "scheduler started",
             {{"replica", scheduler_->scheduler().replica_id()},
              {"workers", std::to_string(std::max(config_.workers, 1))}});
  }
  log_line(LogLevel::info, "runtime ready",
           {{"database", database_kind_}, {"event_bus", event_bus_kind()}});
}

Runtime::~Runtime() {
  shutdown();
}

void Runtime::make_scheduler(const RunTimeouts& timeouts) {
  SchedulerOptions options;
  options.timeouts = timeouts;
  options.fairness = config_.user_concurrency;
  options.fairness.default_level =
      parse_enum<SubscriptionLevel>(config_.default_tier).value_or(SubscriptionLevel::basic);
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  options.replica_id =
      std::string(host) + ":" + std::to_string(::getpid()) + ":" + ids_->event_id().substr(0, 8);
  SchedulerLoopOptions loop;
  loop.workers = static_cast<std::size_t>(std::max(config_.workers, 1));
  scheduler_ = std::make_unique<SchedulerLoop>(
      SchedulerPorts{repository_, clock_, ids_, executors_, notifier_, nullptr}, options, *workers_,
      loop);
  PrunerOptions retention;
  retention.retention = std::chrono::hours(24) * config_.execution_retention_days;
  pruner_ = std::make_unique<ExecutionPruner>(repository_, clock_, retention);
}

Scheduler* Runtime::scheduler() {
  return scheduler_ ? &scheduler_->scheduler() : nullptr;
}

void Runtime::start_scheduler() {
  if (!scheduler_) throw Unavailable("the runtime is shutting down");
  scheduler_->start();
  pruner_->start();
}

void Runtime::stop_scheduler() {
  if (pruner_) pruner_->stop();
  if (scheduler_) scheduler_->stop();
}

void Runtime::after_write() {
  if (scheduler_ && scheduler_->running()) scheduler_->notify();
  if (events_) events_->notify();
}

void Runtime::shutdown() {
  if (pruner_) pruner_->stop();
  pruner_.reset();
  if (scheduler_) scheduler_->stop();
  scheduler_.reset();
  if (events_) events_->stop();
  events_.reset();
  if (workers_) workers_->shutdown();
}

}  // namespace task::runtime
