#pragma once
/// The composition of the event adapters for the runtime: an outbox relay into NATS (when a URL
/// is configured) or into the in-process bus, and also into MQTT when an MQTT URL is configured
/// (both from the one outbox: a row is published once every sink acknowledged it), plus the
/// account-event subscriber.
///
///   auto bus = task::events::start_event_bus({.nats_url = cfg.nats_url}, repo, clock, ids);
///   service.set_after_commit([&bus] { bus->notify(); });   // wake the relay after writes
///   bus->status();                                         // for /health/detailed
///
/// Ownership: start_event_bus returns the EventBus as a unique_ptr; it shares ownership of the
/// repository, clock and id generator and owns the relay, the sink and the subscriber. The
/// references and pointers it hands out (relay(), in_process()) live as long as the EventBus.
/// Thread-safety: notify, status, deliver_account_event and stop may be called from any thread;
/// stop is idempotent and the destructor calls it.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "task/events/account_subscriber.hpp"
#include "task/events/event_bus.hpp"
#include "task/events/log.hpp"
#include "task/events/mqtt_sink.hpp"
#include "task/events/nats_sink.hpp"
#include "task/events/outbox_relay.hpp"
#include "task/ports/repository.hpp"
#include "task/service/account_events.hpp"

namespace task::events {

/// Settings of the event system. `nats_url` empty = in-process bus, no subscriber.
struct EventBusConfig {
  std::string nats_url;
  std::string mqtt_url;   ///< non-empty: every event also goes to MQTT (device push)
  bool subscribe = true;  ///< consume *.user.deleted / *.subscription.changed (NATS only)
  RelayOptions relay;
  NatsOptions nats;  ///< `url` is taken from nats_url
  MqttOptions mqtt;  ///< `url` is taken from mqtt_url
  SubscriberOptions subscriber;
};

/// Health of the event system (`/health/detailed` component `event_bus`).
struct EventBusStatus {
  std::string kind;        ///< "nats" or "in_process"
  bool healthy = false;    ///< connected (or in-process), MQTT too when set, relay not failing
  bool connected = false;  ///< NATS connected; always true in-process
  bool jetstream = false;
  std::int64_t backlog = 0;  ///< unpublished outbox rows
  std::chrono::milliseconds oldest_unpublished_age{0};
  RelayStatus relay;
  std::optional<NatsStatus> nats;
  std::optional<MqttStatus> mqtt;  ///< when MQTT is configured
  std::optional<SubscriberStatus> subscriber;
};

/// The running event system; destroying it stops the relay (rows stay in the outbox).
class EventBus {
 public:
  EventBus() = default;
  ~EventBus();
  EventBus(const EventBus&) = delete;
  EventBus& operator=(const EventBus&) = delete;

  /// Call after every committed write: the relay publishes at once instead of at its next poll.
  void notify();
  /// The in-process bus for embedder subscriptions; nullptr when publishing to NATS.
  InProcessEventBus* in_process() const { return bus_.get(); }
  OutboxRelay& relay() const { return *relay_; }
  /// Applies an account event received some other way (e.g. an embedder without NATS).
  AccountEventOutcome deliver_account_event(std::string_view subject, std::string_view body);
  EventBusStatus status() const;
  /// Stops the relay and the subscriber (idempotent).
  void stop();

 private:
  friend std::unique_ptr<EventBus> start_event_bus(EventBusConfig, std::shared_ptr<TaskRepository>,
                                                   std::shared_ptr<const Clock>,
                                                   std::shared_ptr<IdGenerator>, LogFn);
  std::shared_ptr<TaskRepository> repo_;
  std::shared_ptr<const Clock> clock_;
  std::shared_ptr<IdGenerator> ids_;
  std::shared_ptr<InProcessEventBus> bus_;
  std::shared_ptr<NatsEventSink> nats_;
  std::shared_ptr<MqttEventSink> mqtt_;
  std::shared_ptr<OutboxRelay> relay_;
  std::unique_ptr<AccountEventSubscriber> subscriber_;
};

/// Builds and starts the event system: NatsEventSink + OutboxRelay (+ AccountEventSubscriber)
/// when `config.nats_url` is set, else InProcessEventBus + OutboxRelay; with `config.mqtt_url`
/// the relay feeds a FanoutSink of that sink and an MqttEventSink. Never blocks on an
/// unreachable NATS server or MQTT broker (they connect in the background). Throws
/// std::invalid_argument for an unusable URL. `repo` is the whole
/// storage: the relay takes its OutboxStore, the subscriber its UserStore and TaskStore.
std::unique_ptr<EventBus> start_event_bus(EventBusConfig config,
                                          std::shared_ptr<TaskRepository> repo,
                                          std::shared_ptr<const Clock> clock,
                                          std::shared_ptr<IdGenerator> ids,
                                          LogFn log = stderr_logger());

}  // namespace task::events
