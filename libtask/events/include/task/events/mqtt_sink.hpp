#pragma once
/// The MQTT publisher (Eclipse Paho C, asynchronous client): each event goes to
/// `task_service/<user_id>/task/<event>` (e.g. `task_service/u1/task/reminder_triggered`) with
/// QoS 1 and the same CloudEvents JSON body as on NATS (event_body). A batch counts as
/// acknowledged up to the first message without a PUBACK; the relay publishes the rest again, so
/// delivery is at-least-once and consumers dedupe by the CloudEvents `id`.
///
/// Ownership: the sink owns its Paho client and connection settings; events are copied into the
/// outgoing messages. Thread-safety: publish may be called from the relay's thread while Paho's
/// own thread delivers acknowledgements; one relay feeds one sink.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "task/events/log.hpp"
#include "task/events/sink.hpp"

namespace task::events {

/// Connection and publishing settings.
struct MqttOptions {
  /// `mqtt://[user[:password]@]host[:port]` or `tcp://...` (port 1883 by default).
  std::string url;
  std::string client_id;  ///< empty = `<name>-<host>-<pid>-<random>` (unique per replica)
  std::string name = "task_service";
  std::string topic_prefix = "task_service";
  int qos = 1;
  std::chrono::milliseconds reconnect_wait{250};  ///< first wait after a failed connect
  std::chrono::milliseconds max_reconnect_wait{2000};
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds ack_timeout{5000};  ///< PUBACKs of one batch
  std::chrono::seconds keep_alive{10};
  int max_pending = 4096;  ///< messages buffered in the client (>= the relay's batch size)
};

/// Connection state for health checks.
struct MqttStatus {
  bool connected = false;
  std::string url;  ///< the broker (without credentials)
  std::string client_id;
  std::int64_t published = 0;  ///< messages acknowledged (PUBACK)
  std::int64_t disconnects = 0;
  std::int64_t reconnects = 0;
  std::string last_error;
};

/// The parts of an MQTT URL.
struct MqttUrl {
  std::string server_uri;  ///< `tcp://host:port`, as Paho takes it
  std::string username;
  std::string password;
  std::string display;  ///< `mqtt://host:port` (no credentials), for logs and health
};

/// Parses `MQTT_URL`; throws std::invalid_argument naming what is wrong (scheme, host, port).
MqttUrl parse_mqtt_url(const std::string& url);

/// The topic of an event: `<prefix>/<user_id>/task/<event>`. The user id is one topic level:
/// `/`, `+`, `#`, `%` and control characters in it are percent-encoded (`a/b` -> `a%2Fb`).
std::string mqtt_topic(const Event& event, const std::string& prefix = "task_service");

/// Publishes relayed events to an MQTT broker; thread-safe (batches are serialized).
class MqttEventSink final : public BatchEventSink {
 public:
  /// Connects in the background and keeps reconnecting (never throws for an unreachable broker).
  /// Throws std::invalid_argument for an unusable URL or options.
  explicit MqttEventSink(MqttOptions options, LogFn log = stderr_logger());
  ~MqttEventSink() override;
  MqttEventSink(const MqttEventSink&) = delete;
  MqttEventSink& operator=(const MqttEventSink&) = delete;

  /// Throws task::Unavailable when not connected or nothing was acknowledged.
  std::size_t publish_batch(std::span<const Event> events) override;

  /// Called (on a Paho thread) after every (re)connect; e.g. OutboxRelay::retry_now.
  void on_connected(std::function<void()> callback);

  MqttStatus status() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace task::events
