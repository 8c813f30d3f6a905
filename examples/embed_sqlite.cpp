// Embeds libtask on SQLite with task::runtime (storage, executors and the event relay from a
// Config) and runs the scheduler in the host's own loop: each tick of the loop calls
// Scheduler::step(now) — no scheduler threads. A manual clock stands in for the host's time so
// that three minutes pass in an instant.
//
//   example_embed_sqlite [PATH]   (default ./embed_sqlite.db, recreated)
#include <boost/json/parse.hpp>
#include <filesystem>
#include <iostream>
#include <memory>

#include "task/codec/json_codec.hpp"
#include "task/runtime/runtime.hpp"

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : "embed_sqlite.db";
  std::filesystem::remove(path);
  // Flags as task-server names them; the scheduler loop stays off: this program drives it.
  auto config = task::runtime::resolve_config(
      {{"database-url", "sqlite://" + path}, {"scheduler", "off"}, {"log-level", "warn"}},
      [](const std::string&) { return std::optional<std::string>(); });
  auto clock = std::make_shared<task::ManualClock>(*task::parse_rfc3339("2026-12-01T08:00:00Z"));
  task::runtime::Runtime runtime(config, clock);
  auto& service = runtime.service();
  const task::Caller carol{"carol", service.resolve_level("carol"), false};

  const auto water =
      service.create_task(carol, boost::json::parse(R"({"name":"Water plants","task_type":"todo",
                                    "schedule":{"type":"interval","interval_seconds":60}})"));
  std::cout << "created " << water.task_id << ", next run "
            << task::format_rfc3339(*water.next_run_time) << "\n";

  // The host's event loop: one tick per minute of its clock.
  std::int64_t runs = 0;
  for (int tick = 0; tick < 3; ++tick) {
    runs += runtime.scheduler()->step(clock->now()).runs;
    clock->advance(std::chrono::minutes(1));
  }

  const auto list = service.list_executions(carol, water.task_id, task::PageRequest{10, 0});
  for (const auto& e : list.executions)
    std::cout << "  " << e.execution_id << " trigger=" << task::to_string(e.trigger_type)
              << " scheduled_for=" << task::format_rfc3339(*e.scheduled_for)
              << " status=" << task::to_string(e.status) << "\n";
  std::cout << runs << " scheduled run(s) stored in " << path << "\n";
  runtime.shutdown();
  return runs == 3 && list.total == 3 ? 0 : 1;
}
