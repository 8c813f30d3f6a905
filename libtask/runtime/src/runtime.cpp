#include "task/runtime/runtime.hpp"

#include "task/clients/account_client.hpp"
#include "task/clients/notification_client.hpp"
#include "task/clients/notify_executor.hpp"
#include "task/clients/webhook_executor.hpp"
#include "task/runtime/log.hpp"

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
  if (!config_.notification_service_url.empty())
    notifier_ = std::make_shared<clients::HttpNotifier>(config_.notification_service_url);
  if (!config_.account_service_url.empty())
    subscriptions_ = std::make_shared<clients::AccountDirectory>(config_.account_service_url);
  executors_ = make_executors(config_, notifier_);
  ServiceOptions options;
  options.default_level =
      parse_enum<SubscriptionLevel>(config_.default_tier).value_or(SubscriptionLevel::basic);
  service_ = std::make_unique<TaskService>(
      ServicePorts{repository_, clock_, ids_, executors_, subscriptions_}, options);
  const auto workers = static_cast<std::size_t>(config_.workers);
  workers_ = std::make_unique<WorkerPool>(workers, workers * 16);
  log_line(LogLevel::info, "runtime ready",
           {{"database", database_kind_}, {"event_bus", event_bus_kind()}});
}

Runtime::~Runtime() {
  shutdown();
}

void Runtime::shutdown() {
  scheduler_.reset();
  relay_.reset();
  if (workers_) workers_->shutdown();
}

}  // namespace task::runtime
