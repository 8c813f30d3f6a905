#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "task/core/errors.hpp"
#include "task/memory/memory_repository.hpp"
#include "test_support.hpp"

using namespace task;
using task::test::Fixture;
using task::test::J;

TEST_CASE("service: a run stores its events in commit order", "[service][execute]") {
  Fixture f;
  const auto t = f.create(f.alice, R"({"name":"x","task_type":"todo"})");
  const auto run = f.service.execute(f.alice, t.task_id);
  std::vector<std::string> types;
  std::vector<boost::json::object> data;
  for (const auto& e : f.repo->fetch_outbox(100)) {
    types.push_back(e.event.type);
    data.push_back(e.event.data);
  }
  CHECK((types == std::vector<std::string>{"task.created", "task.status_changed", "task.executed",
                                           "task.status_changed"}));
  CHECK(data[1].at("new_status") == "running");
  CHECK(data[1].at("reason") == "execution_started");
  CHECK(data[2].at("execution_id").as_string() == run.execution.execution_id);
  CHECK(data[2].at("trigger_type") == "manual");
  CHECK(data[3].at("old_status") == "running");
  CHECK(data[3].at("new_status") == "completed");
}

TEST_CASE("service: a run returns the execution as stored, with its row id", "[service][execute]") {
  Fixture f;
  const auto t = f.create(f.alice, R"({"name":"x","task_type":"todo"})");
  const auto started = f.service.start_execution(f.alice, t.task_id, ExecuteRequest{});
  CHECK(started.execution.id > 0);
  const auto run = f.service.finish_execution(started);
  CHECK(run.execution.id == started.execution.id);
  CHECK(run.execution.id == f.repo->find_execution(run.execution.execution_id)->id);
}

TEST_CASE("service: concurrent starts — exactly one run per task at a time", "[service][execute]") {
  Fixture f;
  const auto t = f.create(f.alice, R"({"name":"x","task_type":"todo"})");
  std::atomic<int> started{0}, conflicts{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&] {
      try {
        f.service.start_execution(f.alice, t.task_id, ExecuteRequest{});
        ++started;
      } catch (const Conflict&) {
        ++conflicts;
      }
    });
  for (auto& th : threads)
    th.join();
  CHECK(started == 1);
  CHECK(conflicts == 3);
  CHECK(f.service.list_executions(f.alice, t.task_id, QueryParams{}).total == 1);
}

TEST_CASE("service: a manual run of a paused scheduled task keeps it paused",
          "[service][execute]") {
  Fixture f;
  const auto t = f.create(f.alice, R"({"name":"x","task_type":"daily_news",
                                        "schedule":{"type":"interval","interval_seconds":3600}})");
  f.service.update_task(f.alice, t.task_id, J(R"({"status":"paused"})"));
  const auto run = f.service.execute(f.alice, t.task_id);
  CHECK(run.task.status == TaskStatus::paused);
  CHECK(run.task.next_run_time == t.next_run_time);  // a manual run does not consume a slot
  CHECK(f.service.pending_tasks(f.internal, QueryParams{}).empty());
}

TEST_CASE("service: page and limit validation on internal and execution listings",
          "[service][list]") {
  Fixture f;
  const auto t = f.create(f.alice, R"({"name":"x","task_type":"todo"})");
  CHECK_THROWS_AS(f.service.list_executions(f.alice, t.task_id, QueryParams{{"limit", "0"}}),
                  ValidationError);
  CHECK_THROWS_AS(f.service.list_executions(f.alice, t.task_id, QueryParams{{"offset", "-2"}}),
                  ValidationError);
  CHECK_THROWS_AS(f.service.pending_tasks(f.internal, QueryParams{{"limit", "101"}}),
                  ValidationError);
  CHECK(f.service.list_executions(f.alice, t.task_id, QueryParams{{"limit", "100"}}).limit == 100);
}

TEST_CASE("service: storage errors propagate unchanged", "[service]") {
  struct DownRepository final : memory::MemoryRepository {
    Task insert_task(const Task&, const std::vector<Event>&) override {
      throw Unavailable("db down");
    }
    Task insert_task_within(const Task&, const std::vector<Event>&, std::int64_t) override {
      throw Unavailable("db down");
    }
  };
  Fixture f;
  TaskService svc(service_ports(std::make_shared<DownRepository>(), f.clock, f.ids, f.executors));
  CHECK_THROWS_AS(svc.create_task(f.alice, J(R"({"name":"x","task_type":"todo"})")), Unavailable);
}
