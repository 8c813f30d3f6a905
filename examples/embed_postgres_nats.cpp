// Embeds libtask the way a production service does: PostgreSQL storage, domain events relayed
// from the outbox to NATS (JetStream when the server has it), and the background scheduler
// (its own threads, the system clock). It creates a one-off task due in one second, waits until
// the scheduler has run it and the relay has published every event, and prints what happened.
//
//   example_embed_postgres_nats POSTGRESQL_URL NATS_URL
//   e.g. example_embed_postgres_nats postgresql://app@127.0.0.1:5432/taskdb nats://127.0.0.1:4222
#include <boost/json/parse.hpp>
#include <chrono>
#include <iostream>
#include <thread>

#include "task/events/event_system.hpp"
#include "task/runtime/runtime.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: example_embed_postgres_nats POSTGRESQL_URL NATS_URL\n";
    return 2;
  }
  auto config = task::runtime::resolve_config(
      {{"database-url", argv[1]}, {"nats-url", argv[2]}, {"workers", "2"}, {"log-level", "warn"}},
      [](const std::string&) { return std::optional<std::string>(); });
  task::runtime::Runtime runtime(config);  // the scheduler starts ("scheduler" is on by default)
  auto& service = runtime.service();
  const std::string user =
      "embed-pg-" + std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
  const task::Caller caller{user, service.resolve_level(user), false};

  const auto due = task::format_rfc3339(runtime.clock().now() + std::chrono::seconds(1));
  const auto t = service.create_task(
      caller, boost::json::parse(R"({"name":"Send the report","task_type":"reminder",
                                     "schedule":{"type":"once","run_at":")" +
                                 due + R"("}})"));
  runtime.after_write();  // wakes the scheduler and the relay
  std::cout << "created " << t.task_id << " due " << due << "\n";

  // Bounded wait: the run and the publication of its events.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::int64_t runs = 0;
  task::events::EventBusStatus bus;
  while (std::chrono::steady_clock::now() < deadline) {
    runs = service.list_executions(caller, t.task_id, task::PageRequest{10, 0}).total;
    bus = runtime.event_bus()->status();
    if (runs == 1 && bus.connected && bus.backlog == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::cout << "runs=" << runs << " event_bus=" << bus.kind << " connected=" << bus.connected
            << " jetstream=" << bus.jetstream << " unpublished=" << bus.backlog
            << " status=" << task::to_string(service.get_task(caller, t.task_id).status) << "\n";
  runtime.shutdown();
  return runs == 1 && bus.kind == "nats" && bus.connected && bus.backlog == 0 ? 0 : 1;
}
