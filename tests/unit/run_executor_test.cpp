// run_executor: the one path from a run (manual or scheduled) to its executor, with the per-type
// timeout enforced through the run's deadline (no thread), and the retry policy as a value.
#include <catch2/catch.hpp>
#include <thread>

#include "scheduler_support.hpp"
#include "task/core/run_deadline.hpp"
#include "task/service/run_executor.hpp"

using namespace task;
using namespace task::test;
using namespace std::chrono_literals;

namespace {

std::string code_of(const RunOutcome& o) {
  const auto* c = o.error_details.is_object()
                      ? o.error_details.get_object().if_contains("error_code")
                      : nullptr;
  return c && c->is_string() ? std::string(c->get_string()) : "";
}

/// Waits like a blocking call bounded by the run's deadline would (an HTTP read cut short).
RunOutcome wait_for_deadline(const RunContext&) {
  const auto left = deadline::remaining();
  if (!left) return RunOutcome::fail("no deadline was set", "TEST_NO_DEADLINE");
  std::this_thread::sleep_for(*left);
  return RunOutcome::fail("provider timed out", "PROVIDER_TIMEOUT");
}

}  // namespace

TEST_CASE("run_executor: outcomes, missing executors and exceptions", "[run_executor]") {
  ExecutorRegistry executors;
  auto scripted = std::make_shared<ScriptedExecutor>();
  executors[TaskType::todo] = scripted;
  Task t;
  t.task_type = TaskType::todo;
  CHECK(run_executor(executors, RunContext{t, {}, {}}, 1s).success);
  scripted->behaviour = [](const RunContext&) -> RunOutcome { throw std::runtime_error("boom"); };
  const auto thrown = run_executor(executors, RunContext{t, {}, {}}, 1s);
  CHECK(code_of(thrown) == "EXECUTOR_EXCEPTION");
  CHECK(thrown.error_message->find("boom") != std::string::npos);
  t.task_type = TaskType::daily_news;
  CHECK(code_of(run_executor(executors, RunContext{t, {}, {}}, 1s)) == "PROVIDER_NOT_CONFIGURED");
  CHECK_FALSE(deadline::current());  // the deadline is gone after the call
}

TEST_CASE("run_executor: the executor sees the run's deadline and a late end is a timeout",
          "[run_executor]") {
  ExecutorRegistry executors;
  auto scripted = std::make_shared<ScriptedExecutor>();
  executors[TaskType::todo] = scripted;
  Task t;
  t.task_type = TaskType::todo;
  scripted->behaviour = wait_for_deadline;
  const auto t0 = std::chrono::steady_clock::now();
  const auto cut = run_executor(executors, RunContext{t, {}, {}}, 20ms);
  CHECK(std::chrono::steady_clock::now() - t0 < 500ms);
  CHECK(code_of(cut) == "EXECUTION_TIMEOUT");
  CHECK(cut.error_details.at("timeout_ms").as_int64() == 20);
  CHECK(is_timeout(cut));
  // A result that arrives after the timeout is discarded.
  scripted->behaviour = [](const RunContext&) {
    std::this_thread::sleep_for(25ms);
    return RunOutcome::ok(boost::json::object{});
  };
  CHECK(code_of(run_executor(executors, RunContext{t, {}, {}}, 10ms)) == "EXECUTION_TIMEOUT");
  // An enclosing, earlier deadline wins.
  {
    const deadline::Scope outer(std::chrono::steady_clock::now() + 5ms);
    scripted->behaviour = [](const RunContext&) {
      CHECK(*deadline::remaining() <= 5ms);
      return RunOutcome::ok(boost::json::object{});
    };
    run_executor(executors, RunContext{t, {}, {}}, 10s);
  }
}

TEST_CASE("run_executor: a manual run gets its type's timeout like a scheduled one",
          "[run_executor][execute]") {
  ServiceOptions options;
  options.timeouts.per_type[TaskType::todo] = 20ms;
  Fixture f(options);
  f.executor->behaviour = wait_for_deadline;
  const auto t = f.create(f.alice, R"({"name":"x","task_type":"todo"})");
  const auto t0 = std::chrono::steady_clock::now();
  const auto run = f.service.execute(f.alice, t.task_id);
  CHECK(std::chrono::steady_clock::now() - t0 < 500ms);
  CHECK(run.execution.status == ExecutionStatus::failed);
  CHECK(run.execution.error_details.at("error_code") == "EXECUTION_TIMEOUT");
  CHECK(run.execution.error_details.at("timeout_ms").as_int64() == 20);
}

TEST_CASE("run timeouts and retry policy are values", "[run_executor]") {
  RunTimeouts timeouts;
  Task t;
  t.task_type = TaskType::daily_news;
  CHECK(timeouts.for_task(t) == 60s);
  t.task_type = TaskType::data_backup;
  CHECK(timeouts.for_task(t) == 5min);
  t.task_type = TaskType::custom;
  CHECK(timeouts.for_task(t) == 15s);
  t.config = {{"timeout_ms", 2000}};
  CHECK(timeouts.for_task(t) == 7s);
  timeouts.per_type[TaskType::custom] = 3s;
  CHECK(timeouts.for_task(t) == 3s);

  CHECK(RetryPolicy::of(t).max_attempts == 1);
  t.config = {{"retry", {{"max_attempts", 4}, {"backoff_seconds", 2}, {"exponential", true}}}};
  const auto p = RetryPolicy::of(t);
  CHECK(p.max_attempts == 4);
  CHECK(p.backoff_before(2) == 2s);
  CHECK(p.backoff_before(3) == 4s);
  CHECK(p.backoff_before(4) == 8s);
  CHECK(p.budget(10s) == 40s + 14s);
  t.config = {{"retry", {{"max_attempts", 99}, {"backoff_seconds", -5}}}};
  CHECK(RetryPolicy::of(t).max_attempts == 10);
  CHECK(RetryPolicy::of(t).backoff == 0s);
}
