#include "task/events/event_system.hpp"

#include <algorithm>

#include "task/events/fanout_sink.hpp"
#include "task/service/account_events.hpp"

namespace task::events {

EventBus::~EventBus() {
  stop();
}

void EventBus::notify() {
  if (relay_) relay_->notify();
}

AccountEventOutcome EventBus::deliver_account_event(std::string_view subject,
                                                    std::string_view body) {
  auto out = handle_account_message(*repo_, *repo_, *clock_, *ids_, subject, body);
  if (out.result == AccountEventOutcome::Result::handled) notify();
  return out;
}

void EventBus::stop() {
  if (relay_) relay_->stop();
  subscriber_.reset();
  if (mqtt_) mqtt_->on_connected({});
}

EventBusStatus EventBus::status() const {
  EventBusStatus s;
  s.relay = relay_->status();
  s.backlog = s.relay.backlog;
  s.oldest_unpublished_age = s.relay.oldest_age;
  if (nats_) {
    s.kind = "nats";
    s.nats = nats_->status();
    s.connected = s.nats->connected;
    s.jetstream = s.nats->jetstream;
  } else {
    s.kind = "in_process";
    s.connected = true;
  }
  if (subscriber_) s.subscriber = subscriber_->status();
  if (mqtt_) s.mqtt = mqtt_->status();
  s.healthy =
      s.connected && (!s.mqtt || s.mqtt->connected) && s.relay.last_error.empty() && s.backlog >= 0;
  return s;
}

std::unique_ptr<EventBus> start_event_bus(EventBusConfig config,
                                          std::shared_ptr<TaskRepository> repo,
                                          std::shared_ptr<const Clock> clock,
                                          std::shared_ptr<IdGenerator> ids, LogFn log) {
  if (!log) log = null_logger();
  auto bus = std::make_unique<EventBus>();
  bus->repo_ = repo;
  bus->clock_ = clock;
  bus->ids_ = ids;
  std::shared_ptr<EventSink> sink;
  if (config.nats_url.empty()) {
    bus->bus_ = std::make_shared<InProcessEventBus>(log);
    sink = bus->bus_;
  } else {
    config.nats.url = config.nats_url;
    bus->nats_ = std::make_shared<NatsEventSink>(config.nats, log);
    sink = bus->nats_;
  }
  if (!config.mqtt_url.empty()) {
    config.mqtt.url = config.mqtt_url;
    if (config.mqtt.name == MqttOptions{}.name) config.mqtt.name = config.nats.name;
    config.mqtt.max_pending = std::max(config.mqtt.max_pending, config.relay.batch_size);
    bus->mqtt_ = std::make_shared<MqttEventSink>(config.mqtt, log);
    sink = std::make_shared<FanoutSink>(std::vector<FanoutSink::Member>{
        {bus->nats_ ? "nats" : "in_process", sink}, {"mqtt", bus->mqtt_}});
  }
  bus->relay_ = std::make_shared<OutboxRelay>(repo, sink, clock, config.relay, log);
  const auto wake = [weak = std::weak_ptr<OutboxRelay>(bus->relay_)] {
    if (auto relay = weak.lock()) relay->retry_now();
  };
  if (bus->mqtt_) bus->mqtt_->on_connected(wake);
  if (bus->nats_) {
    bus->nats_->on_connected(wake);
    if (config.subscribe)
      bus->subscriber_ = std::make_unique<AccountEventSubscriber>(
          config.nats, config.subscriber, repo, repo, clock, ids,
          [weak = std::weak_ptr<OutboxRelay>(bus->relay_)] {
            if (auto relay = weak.lock()) relay->notify();
          },
          log);
  }
  bus->relay_->start();
  return bus;
}

}  // namespace task::events
