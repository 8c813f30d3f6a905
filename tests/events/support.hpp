#pragma once
// Shared helpers of the events tier: private nats-server processes, a NATS collector, JetStream
// stream reading, an outbox-only fake repository and a controllable sink.
#include <nats/nats.h>

#include <boost/json/fwd.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "support/net.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"
#include "task/core/errors.hpp"
#include "task/events/nats_sink.hpp"
#include "task/events/outbox_relay.hpp"
#include "task/events/sink.hpp"
#include "task/ports/repository.hpp"

namespace task::events::test {

// The names the tier's test files use unqualified: `using namespace task::events::test;`
// brings these too (using-directives are transitive).
using namespace ::task;
using namespace ::task::events;
using namespace std::chrono_literals;
namespace json = boost::json;

/// Relay options with short backoffs and polls, so outages in tests resolve in milliseconds.
RelayOptions fast_relay();

/// NATS options for `url` with a short reconnect wait and a 2 s acknowledgement timeout.
NatsOptions fast_nats(const std::string& url);

// wait_until, TempDir and free_port are the shared ones (tests/support).
using task::testing::free_port;
using task::testing::TempDir;
using task::testing::wait_until;

/// The fixture's nats-server (-js), from TASK_NATS_URL; empty when unset.
std::string fixture_nats_url();

/// A private nats-server on 127.0.0.1; stopped (SIGTERM, waited for) by stop() or destruction.
class NatsServer {
 public:
  /// `store_dir` non-empty enables JetStream with that storage directory.
  explicit NatsServer(std::string store_dir = {}, int port = 0);
  ~NatsServer();
  void start();
  void stop();
  std::string url() const;
  int port() const { return port_; }

 private:
  std::string store_dir_;
  int port_;
  std::unique_ptr<task::testing::ChildProcess> process_;
};

/// One received message.
struct Received {
  std::string subject;
  std::string body;
  std::string msg_id;  ///< Nats-Msg-Id header, "" when none
};

/// Collects every message on a subject (core subscription) until destroyed.
class Collector {
 public:
  Collector(const std::string& url, const std::string& subject = "task_service.>");
  ~Collector();
  /// Waits until at least `n` messages arrived.
  bool wait_for(std::size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(20));
  std::vector<Received> messages() const;

 private:
  static void on_msg(natsConnection*, natsSubscription*, natsMsg* msg, void* closure);
  natsConnection* nc_ = nullptr;
  natsSubscription* sub_ = nullptr;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Received> got_;
};

/// A plain publish + flush on a fresh connection.
void nats_publish(const std::string& url, const std::string& subject, const std::string& body);

/// Every message stored in a JetStream stream, by sequence.
std::vector<Received> read_stream(const std::string& url, const std::string& stream);
/// Deletes a stream (ignored when missing).
void delete_stream(const std::string& url, const std::string& stream);
/// Creates a stream with the given subjects (file storage).
void add_stream(const std::string& url, const std::string& stream,
                const std::vector<std::string>& subjects);

/// An in-memory outbox (relay tests) that can be made to fail.
class FakeOutbox final : public OutboxStore {
 public:
  /// Appends an event (as if a change committed it).
  void append(Event e, Timestamp time);
  bool down = false;  ///< every outbox call throws Unavailable
  std::vector<std::int64_t> published_seqs() const;
  std::size_t size() const;

  std::vector<OutboxEntry> fetch_outbox(int limit) override;
  void mark_published(const std::vector<std::int64_t>& seqs, Timestamp now) override;
  std::int64_t prune_outbox(Timestamp before) override;
  std::pair<std::int64_t, std::optional<Timestamp>> outbox_backlog() override;

 private:
  struct Row {
    std::int64_t seq;
    Event event;
    Timestamp time;
    std::optional<Timestamp> published_at;
  };
  void check() const {
    if (down) throw Unavailable("fake outbox down");
  }
  mutable std::mutex mu_;
  std::vector<Row> rows_;
  std::int64_t next_seq_ = 1;
};

/// A sink that records events; it can be down, or acknowledge only part of a batch.
class RecordingSink final : public BatchEventSink {
 public:
  std::size_t publish_batch(std::span<const Event> events) override;
  std::vector<Event> events() const;
  std::atomic<bool> down{false};
  std::atomic<int> ack_limit{-1};  ///< acknowledge at most this many per batch (-1 = all)
  std::atomic<int> calls{0};

 private:
  mutable std::mutex mu_;
  std::vector<Event> got_;
};

/// An event of `type` for task `task_id` with a fresh random id.
Event sample_event(const std::string& type, const std::string& task_id, Timestamp time);

}  // namespace task::events::test
