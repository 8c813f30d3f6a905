#include <catch2/catch.hpp>
#include <random>
#include <set>

#include "task/rules/events.hpp"
#include "task/rules/outcome.hpp"
#include "test_support.hpp"

using namespace task;
using task::test::J;
using task::test::T;

namespace {

const Timestamp kStart = T("2026-11-26T10:00:00Z");

Task running_task() {
  Task t;
  t.task_id = "tsk_1";
  t.user_id = "u";
  t.name = "n";
  t.task_type = TaskType::custom;
  t.status = TaskStatus::running;
  t.credits_per_run = 2.5;
  return t;
}

Execution running_exec() {
  Execution e;
  e.execution_id = "exe_1";
  e.task_id = "tsk_1";
  e.user_id = "u";
  e.started_at = kStart;
  e.trigger_type = TriggerType::manual;
  return e;
}

}  // namespace

TEST_CASE("outcome: success", "[rules][outcome]") {
  test::SequenceIds ids;
  const auto now = kStart + std::chrono::milliseconds{1500};
  const auto r = apply_outcome(running_task(), running_exec(), RunOutcome::ok(J(R"({"v":1})"), 3),
                               TaskStatus::pending, now, ids);
  CHECK(r.execution.status == ExecutionStatus::completed);
  CHECK(r.execution.credits_consumed == 2.5);
  CHECK(r.execution.duration_ms == 1500);
  CHECK(r.execution.completed_at == now);
  CHECK(r.execution.api_calls_made == 3);
  CHECK(r.execution.result.at("v") == 1);
  CHECK(r.task.run_count == 1);
  CHECK(r.task.success_count == 1);
  CHECK(r.task.failure_count == 0);
  CHECK(r.task.last_success_time == now);
  CHECK(r.task.last_run_time == now);
  CHECK(r.task.total_credits_consumed == 2.5);
  CHECK(r.task.last_result.at("v") == 1);
  CHECK(r.task.status == TaskStatus::completed);
  CHECK(r.task.is_completed);
  CHECK(r.task.completed_at == now);
  REQUIRE(r.events.size() == 2);
  CHECK(r.events[0].type == "task.executed");
  CHECK(r.events[0].data.at("status") == "completed");
  CHECK(r.events[0].data.at("duration_ms") == 1500);
  CHECK(r.events[0].data.at("credits_consumed") == 2.5);
  CHECK(r.events[1].type == "task.status_changed");
  CHECK(r.events[1].data.at("old_status") == "running");
  CHECK(r.events[1].data.at("new_status") == "completed");
}

TEST_CASE("outcome: failure", "[rules][outcome]") {
  test::SequenceIds ids;
  const auto r =
      apply_outcome(running_task(), running_exec(), RunOutcome::fail("boom", "PROVIDER_DOWN"),
                    TaskStatus::pending, kStart + std::chrono::seconds{2}, ids);
  CHECK(r.execution.status == ExecutionStatus::failed);
  CHECK(r.execution.error_message == "boom");
  CHECK(r.execution.error_details.at("error_code") == "PROVIDER_DOWN");
  CHECK(r.execution.credits_consumed == 0);
  CHECK(r.task.failure_count == 1);
  CHECK(r.task.run_count == 1);
  CHECK(r.task.last_error == "boom");
  CHECK_FALSE(r.task.last_success_time);
  CHECK(r.task.total_credits_consumed == 0);
  CHECK(r.task.status == TaskStatus::failed);
  CHECK_FALSE(r.task.is_completed);
}

TEST_CASE("outcome: live schedule returns to scheduled (or paused)", "[rules][outcome]") {
  test::SequenceIds ids;
  auto t = running_task();
  t.schedule = J(R"({"type":"interval","interval_seconds":60})").as_object();
  t.next_run_time = kStart + std::chrono::minutes{1};
  for (bool ok : {true, false}) {
    const auto outcome = ok ? RunOutcome::ok(nullptr) : RunOutcome::fail("x", "E");
    auto r = apply_outcome(t, running_exec(), outcome, TaskStatus::scheduled, kStart, ids);
    CHECK(r.task.status == TaskStatus::scheduled);
    CHECK_FALSE(r.task.is_completed);
    r = apply_outcome(t, running_exec(), outcome, TaskStatus::paused, kStart, ids);
    CHECK(r.task.status == TaskStatus::paused);
  }
  t.next_run_time.reset();  // schedule exhausted (e.g. a `once` that ran)
  CHECK(
      apply_outcome(t, running_exec(), RunOutcome::ok(nullptr), TaskStatus::scheduled, kStart, ids)
          .task.status == TaskStatus::completed);
}

TEST_CASE("outcome: a manual run of a recurring todo is not a completion", "[rules][outcome]") {
  test::SequenceIds ids;
  auto t = running_task();
  t.task_type = TaskType::todo;
  t.due_date = T("2026-11-27T09:00:00Z");
  t.recurrence =
      J(R"({"type":"daily","time":"09:00","timezone":"UTC","anchor":"due"})").as_object();
  for (bool ok : {true, false}) {
    const auto outcome = ok ? RunOutcome::ok(nullptr) : RunOutcome::fail("x", "E");
    for (auto before : {TaskStatus::pending, TaskStatus::paused, TaskStatus::failed}) {
      const auto r = apply_outcome(t, running_exec(), outcome, before, kStart, ids);
      CHECK(r.task.status == before);
      CHECK_FALSE(r.task.is_completed);
      CHECK_FALSE(r.task.completed_at);
      CHECK(r.task.due_date == t.due_date);  // the occurrence does not move
      CHECK(r.task.run_count == 1);
      CHECK(r.execution.status == (ok ? ExecutionStatus::completed : ExecutionStatus::failed));
    }
  }
  t.recurrence.reset();  // a plain todo is done by its run, as before
  CHECK(apply_outcome(t, running_exec(), RunOutcome::ok(nullptr), TaskStatus::pending, kStart, ids)
            .task.status == TaskStatus::completed);
}

TEST_CASE("outcome: a task cancelled while running stays cancelled", "[rules][outcome]") {
  test::SequenceIds ids;
  auto t = running_task();
  t.status = TaskStatus::cancelled;
  t.schedule = J(R"({"type":"interval","interval_seconds":60})").as_object();
  t.next_run_time = kStart;
  const auto r =
      apply_outcome(t, running_exec(), RunOutcome::ok(nullptr), TaskStatus::scheduled, kStart, ids);
  CHECK(r.task.status == TaskStatus::cancelled);
  CHECK_FALSE(r.status_change);
  CHECK(r.events.size() == 1);
  CHECK(r.task.success_count == 1);
}

TEST_CASE("outcome property: counters add up and never decrease", "[rules][outcome][property]") {
  std::mt19937 rng(20261126);
  test::SequenceIds ids;
  for (int trial = 0; trial < 50; ++trial) {
    auto t = running_task();
    if (trial % 2) {
      t.schedule = J(R"({"type":"interval","interval_seconds":60})").as_object();
      t.next_run_time = kStart;
    }
    auto now = kStart;
    for (int i = 0; i < 40; ++i) {
      const auto before = t;
      const bool ok = rng() % 2;
      now += std::chrono::milliseconds{rng() % 5000};
      t.status = TaskStatus::running;
      auto e = running_exec();
      e.started_at = now - std::chrono::milliseconds{10};
      const auto r = apply_outcome(t, e, ok ? RunOutcome::ok(nullptr) : RunOutcome::fail("f", "E"),
                                   TaskStatus::scheduled, now, ids);
      t = r.task;
      REQUIRE(t.run_count == t.success_count + t.failure_count);
      REQUIRE(t.run_count == before.run_count + 1);
      REQUIRE(t.success_count >= before.success_count);
      REQUIRE(t.failure_count >= before.failure_count);
      REQUIRE(t.total_credits_consumed >= before.total_credits_consumed);
      REQUIRE(r.execution.duration_ms == 10);
    }
  }
}

TEST_CASE("event builders carry the §14 data fields", "[rules][events]") {
  Task t = running_task();
  t.status = TaskStatus::scheduled;
  t.priority = Priority::high;
  t.created_at = t.updated_at = kStart;
  t.deleted_at = kStart + std::chrono::seconds{5};
  const auto keys = [](const Event& e) {
    std::set<std::string> out;
    for (const auto& kv : e.data)
      out.insert(std::string(kv.key()));
    return out;
  };
  using K = std::set<std::string>;
  const auto created = make_created_event(t, "e1");
  CHECK(created.type == "task.created");
  CHECK(event_subject(created) == "task_service.task.created");
  CHECK((keys(created) == K{"task_id", "user_id", "task_type", "name", "priority", "status",
                            "schedule", "created_at"}));
  CHECK(created.data.at("priority") == "high");
  CHECK(created.data.at("schedule").is_null());
  CHECK(created.data.at("created_at") == "2026-11-26T10:00:00Z");
  CHECK((keys(make_updated_event(t, {"name"}, "e2")) ==
         K{"task_id", "user_id", "updated_fields", "updated_at"}));
  const auto deleted = make_deleted_event(t, "e3");
  CHECK((keys(deleted) == K{"task_id", "user_id", "deleted_at"}));
  CHECK(deleted.data.at("deleted_at") == "2026-11-26T10:00:05Z");
  auto x = running_exec();
  CHECK((keys(make_executed_event(x, "e4")) == K{"task_id", "execution_id", "user_id", "status",
                                                 "trigger_type", "credits_consumed", "duration_ms",
                                                 "executed_at"}));
  const auto sc =
      make_status_changed_event(t, TaskStatus::pending, TaskStatus::scheduled, "r", kStart, "e5");
  CHECK((keys(sc) == K{"task_id", "user_id", "old_status", "new_status", "reason", "changed_at"}));
  const auto rem = make_reminder_triggered_event(t, "reminder", kStart, "e6");
  CHECK((keys(rem) == K{"task_id", "user_id", "reminder_type", "triggered_at"}));
  CHECK(rem.id == "e6");
  CHECK(rem.type == "task.reminder_triggered");
}
