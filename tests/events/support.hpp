#pragma once
// Shared helpers of the events tier: private nats-server processes, a NATS collector, JetStream
// stream reading, an outbox-only fake repository and a controllable sink.
#include <nats/nats.h>

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
#include "task/events/sink.hpp"
#include "task/ports/repository.hpp"

namespace task::events::test {

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

/// A repository that only implements the outbox (relay tests); the rest throws.
class FakeOutbox final : public TaskRepository {
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

  Task insert_task(const Task&, const std::vector<Event>&) override { throw unused(); }
  Task insert_task_within(const Task&, const std::vector<Event>&, std::int64_t) override {
    throw unused();
  }
  void restore(const Task&, const std::vector<Execution>&) override { throw unused(); }
  std::optional<Task> find_task(std::string_view) override { throw unused(); }
  TaskPage list_tasks(const TaskQuery&) override { throw unused(); }
  std::int64_t count_tasks(std::string_view) override { throw unused(); }
  std::optional<Change> modify_task(
      std::string_view, const std::function<std::optional<Change>(const Task&)>&) override {
    throw unused();
  }
  std::vector<std::optional<Change>> modify_tasks(
      const std::vector<std::string>&,
      const std::function<std::optional<Change>(const Task&)>&) override {
    throw unused();
  }
  std::vector<Task> claim_lost_runs(Timestamp, int, std::string_view,
                                    std::chrono::microseconds) override {
    throw unused();
  }
  std::vector<std::pair<Task, std::optional<Change>>> modify_due_tasks(
      Timestamp, int, const std::function<std::optional<Change>(const Task&)>&) override {
    throw unused();
  }
  std::optional<Execution> find_execution(std::string_view) override { throw unused(); }
  ExecutionPage list_executions(std::string_view, int, int) override { throw unused(); }
  std::int64_t count_executions_since(std::string_view, Timestamp) override { throw unused(); }
  std::vector<Template> list_templates(const TemplateQuery&) override { throw unused(); }
  std::optional<Template> find_template(std::string_view) override { throw unused(); }
  Template upsert_template(const Template&) override { throw unused(); }
  TaskCounts count_tasks_by(std::optional<std::string_view>) override { throw unused(); }
  ExecutionTotals execution_totals(std::optional<std::string_view>, Timestamp) override {
    throw unused();
  }
  std::vector<Task> list_due_tasks(Timestamp, int) override { throw unused(); }
  std::vector<Task> claim_due_tasks(Timestamp, int, std::string_view,
                                    std::chrono::microseconds) override {
    throw unused();
  }
  std::optional<Timestamp> earliest_due_time() override { throw unused(); }
  std::vector<Task> list_due_reminders(Timestamp, int) override { throw unused(); }
  std::optional<SubscriptionLevel> find_user_level(std::string_view) override { throw unused(); }
  void set_user_level(std::string_view, SubscriptionLevel, Timestamp) override { throw unused(); }
  std::vector<std::string> list_open_task_ids(std::string_view) override { throw unused(); }
  void ping() override {}

 private:
  struct Row {
    std::int64_t seq;
    Event event;
    Timestamp time;
    std::optional<Timestamp> published_at;
  };
  static std::logic_error unused() { return std::logic_error("not used by the relay"); }
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
