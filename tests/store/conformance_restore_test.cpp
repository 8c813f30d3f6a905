// Conformance suite, part 4: restore (task-cli import) — rows exactly as given, ids included.
#include <catch2/catch.hpp>
#include <stdexcept>

#include "backend.hpp"
#include "helpers.hpp"
#include "support/same_fields.hpp"
#include "task/codec/json_codec.hpp"
#include "task/core/errors.hpp"

using namespace task;
using namespace task::test;
using task::testing::check_same_fields;

namespace {

/// A task with every field set and row id `id`.
Task full_task(std::int64_t n, std::int64_t id) {
  Task t = make_task("user-r", n, 1000 + n);
  t.id = id;
  t.description = "restored — ✓";
  t.task_type = TaskType::custom;
  t.status = TaskStatus::scheduled;
  t.priority = Priority::high;
  t.config = {{"url", "https://example.com"}, {"n", 1.5}};
  t.schedule = boost::json::object{{"type", "interval"}, {"seconds", 3600}};
  t.credits_per_run = 2.5;
  t.tags = {"a", "b c"};
  t.metadata = {{"k", "v"}};
  t.next_run_time = at(10 * kSec);
  t.last_run_time = at(5 * kSec + 1);
  t.last_success_time = at(5 * kSec + 2);
  t.last_error = "earlier failure";
  t.last_result = boost::json::object{{"ok", true}};
  t.run_count = 4;
  t.success_count = 3;
  t.failure_count = 1;
  t.total_credits_consumed = 10;
  t.due_date = at(86400 * kSec);
  t.reminder_time = at(3600 * kSec);
  t.updated_at = at(7 * kSec);
  t.version = 7;
  t.lease_owner = "replica-9";
  t.lease_expires_at = at(11 * kSec);
  t.reminder_sent_at = at(12 * kSec);
  return t;
}

/// Execution `n` of `t` with row id `id` and every field set.
Execution full_execution(const Task& t, std::int64_t n, std::int64_t id) {
  Execution e = make_execution(t, n, n * kSec);
  e.id = id;
  e.status = ExecutionStatus::failed;
  e.trigger_type = TriggerType::scheduled;
  e.trigger_data = {{"by", "scheduler"}};
  e.scheduled_for = at(n * kSec - 1);
  e.result = boost::json::object{{"out", n}};
  e.error_message = "boom";
  e.error_details = boost::json::object{{"code", 500}};
  e.credits_consumed = 0.5;
  e.tokens_used = 12;
  e.api_calls_made = 3;
  e.duration_ms = 250;
  e.completed_at = at(n * kSec + 250000);
  return e;
}

void add_execution(TaskRepository& r, const Execution& e) {
  r.modify_task(e.task_id, [&](const Task&) -> std::optional<Change> {
    Change c;
    c.executions = {e};
    return c;
  });
}

}  // namespace

TEST_CASE("restore stores a task and its executions exactly, ids included", "[restore]") {
  Fixture f;
  const Task t = full_task(1, 40);
  const std::vector<Execution> xs = {full_execution(t, 1, 17), full_execution(t, 2, 23)};
  f.repo().restore(t, xs);

  auto found = f.repo().find_task(t.task_id);
  REQUIRE(found);
  check_same_fields(*found, t);  // every field, the row id and the version included
  for (const auto& x : xs) {
    auto e = f.repo().find_execution(x.execution_id);
    REQUIRE(e);
    check_same_fields(*e, x);
  }
  auto page = f.repo().list_executions(t.task_id, 10, 0);
  REQUIRE(page.total == 2);
  CHECK(page.executions[0].id == 23);
  CHECK(f.repo().fetch_outbox(10).empty());  // no events

  SECTION("later inserts get row ids above the restored ones") {
    const Task fresh = f.repo().insert_task(make_task("user-r", 2), {});
    CHECK(fresh.id > 40);
    add_execution(f.repo(), make_execution(fresh, 3, 0));
    auto e = f.repo().find_execution(make_id("exe_", 3));
    REQUIRE(e);
    CHECK(e->id > 23);
    // another task restored below the counters does not move them back
    f.repo().restore(full_task(4, 2), {full_execution(full_task(4, 2), 5, 1)});
    const Task later = f.repo().insert_task(make_task("user-r", 6), {});
    CHECK(later.id > fresh.id);
    add_execution(f.repo(), make_execution(later, 7, 0));
    CHECK(f.repo().find_execution(make_id("exe_", 7))->id > e->id);
  }
}

TEST_CASE("restore of a taken key throws Conflict and writes nothing", "[restore]") {
  Fixture f;
  const Task t = full_task(1, 40);
  f.repo().restore(t, {full_execution(t, 1, 17)});
  const Task other = full_task(2, 41);

  auto check_nothing_written = [&] {
    CHECK_FALSE(f.repo().find_task(other.task_id));
    CHECK_FALSE(f.repo().find_execution(make_id("exe_", 9)));
    CHECK(f.repo().list_executions(other.task_id, 10, 0).total == 0);
  };
  SECTION("task_id") {
    Task dup = t;
    dup.id = 99;
    CHECK_THROWS_AS(f.repo().restore(dup, {}), Conflict);
    CHECK(f.repo().find_task(t.task_id)->id == 40);
  }
  SECTION("task row id") {
    Task dup = other;
    dup.id = 40;
    CHECK_THROWS_AS(f.repo().restore(dup, {full_execution(dup, 9, 90)}), Conflict);
    check_nothing_written();
  }
  SECTION("execution_id") {
    CHECK_THROWS_AS(
        f.repo().restore(other, {full_execution(other, 9, 90), full_execution(other, 1, 91)}),
        Conflict);
    check_nothing_written();
  }
  SECTION("execution row id") {
    CHECK_THROWS_AS(
        f.repo().restore(other, {full_execution(other, 9, 90), full_execution(other, 10, 17)}),
        Conflict);
    check_nothing_written();
  }
  SECTION("execution slot (task_id, scheduled_for) within the restored rows") {
    Execution a = full_execution(other, 9, 90), b = full_execution(other, 10, 91);
    b.scheduled_for = a.scheduled_for;
    CHECK_THROWS_AS(f.repo().restore(other, {a, b}), Conflict);
    check_nothing_written();
  }
  SECTION("invalid input is rejected before anything is written") {
    Task no_id = other;
    no_id.id = 0;
    CHECK_THROWS_AS(f.repo().restore(no_id, {}), std::invalid_argument);
    Execution foreign = full_execution(t, 9, 90);
    CHECK_THROWS_AS(f.repo().restore(other, {foreign}), std::invalid_argument);
    check_nothing_written();
  }
  // the store still works after the rollback
  const Task fresh = f.repo().insert_task(make_task("user-r", 3), {});
  CHECK(fresh.id > 40);
}
