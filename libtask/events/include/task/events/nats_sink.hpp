#pragma once
/// The NATS publisher (nats.c): each event goes to `task_service.<type>` with its CloudEvents
/// JSON envelope as the body. With JetStream (detected per connection) it publishes
/// asynchronously with `Nats-Msg-Id` = the CloudEvents id and counts only acknowledged
/// messages; with core NATS it publishes and flushes once per batch.
///
/// Ownership: NatsEventSink owns its nats.c connection (closed by the destructor) and its options;
/// publish_batch reads the events only during the call. Thread-safety: publish_batch, status and
/// on_connected may be called from any thread (batches are serialized); the on_connected
/// callback runs on a nats.c thread.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "task/events/log.hpp"
#include "task/events/sink.hpp"

namespace task::events {

/// Connection and publishing settings.
struct NatsOptions {
  std::string url;                      ///< e.g. nats://127.0.0.1:4222 (comma list ok)
  std::string name = "task_service";    ///< client name shown by the server
  bool use_jetstream = true;            ///< publish through JetStream when available
  std::string stream = "TASK_SERVICE";  ///< created when missing
  std::vector<std::string> stream_subjects = {"task_service.>"};
  int stream_replicas = 1;  ///< replicas of a stream this publisher creates (3 on a cluster)
  std::chrono::milliseconds reconnect_wait{250};  ///< between reconnect attempts (infinite)
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds ack_timeout{5000};  ///< JetStream acks / core flush per batch
  int max_pending = 4096;                       ///< JetStream async publishes in flight
};

/// Connection state for health checks.
struct NatsStatus {
  bool connected = false;
  bool jetstream = false;      ///< the last detection found JetStream
  std::string url;             ///< server connected to (empty when not connected)
  std::int64_t published = 0;  ///< acknowledged messages
  std::int64_t disconnects = 0;
  std::int64_t reconnects = 0;
  std::string last_error;
};

/// Publishes relayed events to NATS; thread-safe (batches are serialized).
class NatsEventSink final : public BatchEventSink {
 public:
  /// Connects (or keeps retrying in the background when the server is down: never throws for an
  /// unreachable server). Throws std::invalid_argument for an unusable URL or options.
  explicit NatsEventSink(NatsOptions options, LogFn log = stderr_logger());
  ~NatsEventSink() override;
  NatsEventSink(const NatsEventSink&) = delete;
  NatsEventSink& operator=(const NatsEventSink&) = delete;

  std::size_t publish_batch(std::span<const Event> events) override;

  /// Called (on a nats.c thread) after every (re)connect; e.g. OutboxRelay::retry_now.
  void on_connected(std::function<void()> callback);

  NatsStatus status() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

/// The body published for an event: its CloudEvents envelope as JSON text.
std::string event_body(const Event& event);

}  // namespace task::events
