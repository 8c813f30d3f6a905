// Execution retention end to end in one process (docs/api.md §16): the runtime's scheduler
// with TASK_EXECUTION_RETENTION_DAYS=1 deletes the executions older than a day as soon as it
// starts, the API's analytics (summary and series, in a zone) and the task are the same
// before and after, and /metrics counts the rows. On memory and on a fresh SQLite file (its own
// database, so the prune cannot touch other tests' rows; PostgreSQL: the store tier's
// conformance_retention_test).
#include <catch2/catch.hpp>
#include <filesystem>

#include "http_fixture.hpp"

using namespace test;

namespace {

constexpr std::int64_t kSec = 1'000'000;
constexpr std::int64_t kDay = 86400 * kSec;

/// The document without its generation time (the only field that moves between two calls).
std::string without_time(boost::json::value v) {
  if (auto* o = v.if_object()) {
    o->erase("created_at");
    o->erase("generated_at");
  }
  return boost::json::serialize(v);
}

}  // namespace

TEST_CASE("retention: the scheduler prunes old executions; analytics and the task stay",
          "[retention]") {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("task-http-retention-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  for (const std::string& url :
       {std::string("memory:"), "sqlite://" + (dir / "tasks.db").string()}) {
    INFO(url);
    ServerUnderTest server({{"database-url", url}, {"execution-retention-days", "1"}});
    auto& rt = server.runtime();
    REQUIRE_FALSE(rt.scheduler_running());
    const std::string user = unique_user("retention");
    const auto now = rt.clock().now();
    task::Task t;
    t.task_id = "tsk_0000000000000000000000aa";
    t.user_id = user;
    t.name = "history";
    t.created_at = now - std::chrono::hours(24 * 20);
    t.updated_at = t.created_at;
    t.run_count = 33;
    t.success_count = 30;
    t.failure_count = 3;
    t.total_credits_consumed = 8.25;
    rt.repository().insert_task(t, {});
    rt.repository().modify_task(t.task_id, [&](const task::Task&) -> std::optional<task::Change> {
      task::Change c;
      for (int i = 0; i < 33; ++i) {
        task::Execution e;
        e.execution_id = "exe_" + std::string(20, '0') + std::to_string(1000 + i);
        e.task_id = t.task_id;
        e.user_id = user;
        e.status = i % 11 ? task::ExecutionStatus::completed : task::ExecutionStatus::failed;
        e.duration_ms = 100 + i;
        e.credits_consumed = 0.25 * (i % 3);
        e.api_calls_made = 1;
        // 30 of them 3-10 days old (pruned), 3 within the last day (kept).
        e.started_at = i < 30 ? now - std::chrono::microseconds(3 * kDay + i * (kDay / 4))
                              : now - std::chrono::hours(i - 29);
        e.created_at = e.started_at;
        c.executions.push_back(e);
      }
      return c;
    });
    auto cli = server.client();
    auto get = [&](const std::string& path) {
      auto r = cli.Get(path, as_user(user));
      REQUIRE(r);
      REQUIRE(r->status == 200);
      return body_json(r);
    };
    auto executions = [&] {
      auto r = cli.Get("/api/v1/tasks/" + t.task_id + "/executions?limit=100", as_user(user));
      REQUIRE(r);
      REQUIRE(r->status == 200);
      return r->get_header_value("X-Total-Count") + "/" +
             std::to_string(body_json(r).as_array().size());
    };
    const auto analytics = without_time(get("/api/v1/analytics?days=30&tz=Asia/Kathmandu"));
    const auto series = without_time(get("/api/v1/analytics/series?days=30&tz=America/St_Johns"));
    const auto task_json = boost::json::serialize(get("/api/v1/tasks/" + t.task_id));
    REQUIRE(executions() == "33/33");

    rt.start_scheduler();  // the pruner's first tick runs at once
    for (int i = 0; i < 500 && rt.pruner()->pruned_total() < 30; ++i)  // bounded: 5 s
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    CHECK(rt.pruner()->pruned_total() == 30);
    CHECK(executions() == "3/3");
    CHECK(without_time(get("/api/v1/analytics?days=30&tz=Asia/Kathmandu")) == analytics);
    CHECK(without_time(get("/api/v1/analytics/series?days=30&tz=America/St_Johns")) == series);
    CHECK(boost::json::serialize(get("/api/v1/tasks/" + t.task_id)) == task_json);
    CHECK(analytics.find("\"total_executions\":33") != std::string::npos);

    auto m = cli.Get("/metrics");
    REQUIRE(m);
    CHECK(m->body.find("\ntask_executions_pruned_total 30\n") != std::string::npos);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("retention: 0 keeps every execution", "[retention]") {
  ServerUnderTest server({{"database-url", "memory:"}, {"execution-retention-days", "0"}});
  auto& rt = server.runtime();
  task::Task t;
  t.task_id = "tsk_0000000000000000000000ab";
  t.user_id = unique_user("keep");
  t.name = "kept";
  rt.repository().insert_task(t, {});
  rt.repository().modify_task(t.task_id, [&](const task::Task&) -> std::optional<task::Change> {
    task::Change c;
    task::Execution e;
    e.execution_id = "exe_0000000000000000000000ab";
    e.task_id = t.task_id;
    e.user_id = t.user_id;
    e.status = task::ExecutionStatus::completed;
    e.started_at = rt.clock().now() - std::chrono::hours(24 * 3650);
    e.created_at = e.started_at;
    c.executions.push_back(e);
    return c;
  });
  rt.start_scheduler();
  CHECK_FALSE(rt.pruner()->running());
  CHECK(rt.pruner()->prune_now() == 0);
  CHECK(rt.repository().find_execution("exe_0000000000000000000000ab"));
}
