#pragma once
/// The transactional-outbox relay: events committed with their change are read from the
/// outbox (OutboxStore) in commit order, published through an EventSink, and marked published
/// only once the sink accepted them. Nothing is dropped: while the sink (or storage) is down the
/// relay backs off exponentially and retries the same rows. Delivery is at-least-once; consumers
/// dedupe by the CloudEvents id.
///
/// Ownership: OutboxRelay shares ownership of the repository and the sink (shared_ptr) and owns
/// its background thread; the destructor stops and joins it. Thread-safety: start, stop, notify,
/// retry_now, relay_once, drain, prune_once and status may be called from any thread; steps are
/// serialized (one at a time, also against the background thread).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "task/events/log.hpp"
#include "task/events/sink.hpp"
#include "task/ports/clock.hpp"
#include "task/ports/collaborators.hpp"
#include "task/ports/outbox_store.hpp"

namespace task::events {

/// Tuning of the relay.
struct RelayOptions {
  int batch_size = 512;                                         ///< rows per fetch / publish batch
  std::chrono::milliseconds poll_interval{500};                 ///< idle re-check (other processes)
  std::chrono::milliseconds initial_backoff{50};                ///< first wait after a failure
  std::chrono::milliseconds max_backoff{5000};                  ///< backoff cap
  std::chrono::milliseconds retention{std::chrono::hours(24)};  ///< keep published rows this long
  std::chrono::milliseconds prune_interval{std::chrono::minutes(1)};
};

/// What one relay step did.
struct RelayStep {
  std::size_t fetched = 0;    ///< unpublished rows read
  std::size_t published = 0;  ///< rows acknowledged by the sink and marked published
  bool failed = false;        ///< the sink or the repository failed (some rows remain)
  std::string error;          ///< the failure, for logs
};

/// Health of the relay (for /health/detailed and metrics).
struct RelayStatus {
  bool running = false;
  std::int64_t published_total = 0;
  std::int64_t failures_total = 0;
  std::int64_t backlog = 0;                      ///< unpublished rows (-1 when storage is down)
  std::optional<Timestamp> oldest_unpublished;   ///< commit time of the oldest unpublished row
  std::chrono::milliseconds oldest_age{0};       ///< now - oldest_unpublished (0 when none)
  std::chrono::milliseconds current_backoff{0};  ///< 0 when healthy
  std::string last_error;                        ///< empty when the last step succeeded
};

/// Relays the outbox to a sink, on a background thread (start/stop) or step by step (tests).
class OutboxRelay {
 public:
  OutboxRelay(std::shared_ptr<OutboxStore> outbox, std::shared_ptr<EventSink> sink,
              std::shared_ptr<const Clock> clock, RelayOptions options = {},
              LogFn log = stderr_logger());
  ~OutboxRelay();
  OutboxRelay(const OutboxRelay&) = delete;
  OutboxRelay& operator=(const OutboxRelay&) = delete;

  /// Starts the background thread (no-op when running).
  void start();
  /// Stops the thread after its current step; unpublished rows stay in the outbox.
  void stop();
  /// Tells the relay new rows were committed: it wakes at once unless it is backing off.
  void notify();
  /// Ends a backoff early (e.g. the sink reconnected) and wakes the relay.
  void retry_now();

  /// One batch: fetch up to batch_size unpublished rows, publish, mark the acknowledged prefix.
  /// Never throws; failures are reported in the result. Serialized with the thread.
  RelayStep relay_once();
  /// Relays until the outbox is empty or a step fails; returns the number published.
  std::size_t drain();
  /// Deletes published rows older than the retention; returns how many (0 on failure).
  std::int64_t prune_once();

  /// Counters plus the outbox backlog (asks the repository).
  RelayStatus status() const;

 private:
  void run();
  std::size_t publish_rows(std::vector<OutboxEntry>& rows);

  std::shared_ptr<OutboxStore> repo_;
  std::shared_ptr<EventSink> sink_;
  BatchEventSink* batch_sink_ = nullptr;
  std::shared_ptr<const Clock> clock_;
  RelayOptions options_;
  LogFn log_;

  std::mutex step_mu_;  // one step at a time
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool wake_ = false;
  bool retry_ = false;
  bool stopping_ = false;
  std::thread thread_;
  std::atomic<bool> running_{false};
  std::atomic<std::int64_t> published_total_{0};
  std::atomic<std::int64_t> failures_total_{0};
  std::atomic<std::int64_t> backoff_ms_{0};
  std::string last_error_;  // guarded by mu_
};

}  // namespace task::events
