// Conformance suite: the operator's and the dashboard's reads (runs in flight across users,
// executions by quarter hour), on every backend.
#include <catch2/catch.hpp>

#include "backend.hpp"
#include "helpers.hpp"

using namespace task;
using namespace task::test;

TEST_CASE("runs in flight: running tasks of every user with lease and execution", "[operator]") {
  Fixture f;
  auto& r = f.repo();
  const Task scheduled = r.insert_task(make_running("u", 1, "replica-a", 60 * kSec), {});
  Execution slot = make_execution(scheduled, 1, 5 * kSec);
  slot.trigger_type = TriggerType::scheduled;
  slot.scheduled_for = at(0);
  Execution old = make_execution(scheduled, 2, 1 * kSec);  // an earlier, finished run
  old.status = ExecutionStatus::completed;
  old.scheduled_for = at(-3600 * kSec);
  add_executions(r, scheduled, {slot, old});

  Task manual = make_task("v", 2);  // another user's manual run
  manual.status = TaskStatus::running;
  manual.lease_owner = "manual:" + make_id("exe_", 3);
  manual.lease_expires_at = at(30 * kSec);
  manual = r.insert_task(manual, {});
  add_executions(r, manual, {make_execution(manual, 3, 7 * kSec)});

  Task bare = make_task("w", 3);  // running without a stored execution (e.g. mid-recovery)
  bare.status = TaskStatus::running;
  r.insert_task(bare, {});
  Task gone = make_task("u", 4);
  gone.status = TaskStatus::running;
  gone.deleted_at = at(0);
  r.insert_task(gone, {});
  r.insert_task(make_scheduled("u", 5, 0), {});  // not running

  auto runs = r.list_runs_in_flight(100);
  REQUIRE(runs.size() == 3);
  CHECK(runs[0].task_id == scheduled.task_id);
  CHECK(runs[0].user_id == "u");
  CHECK(runs[0].name == scheduled.name);
  CHECK(runs[0].task_type == scheduled.task_type);
  CHECK(runs[0].lease_owner == "replica-a");
  CHECK(runs[0].lease_expires_at == at(60 * kSec));
  CHECK(runs[0].execution_id == slot.execution_id);
  CHECK(runs[0].trigger == TriggerType::scheduled);
  CHECK(runs[0].scheduled_for == at(0));
  CHECK(runs[0].started_at == at(5 * kSec));
  CHECK(runs[1].task_id == manual.task_id);
  CHECK(runs[1].user_id == "v");
  CHECK(runs[1].lease_owner == "manual:" + make_id("exe_", 3));
  CHECK(runs[1].trigger == TriggerType::manual);
  CHECK_FALSE(runs[1].scheduled_for.has_value());
  CHECK(runs[1].started_at == at(7 * kSec));
  CHECK(runs[2].task_id == bare.task_id);
  CHECK_FALSE(runs[2].lease_owner.has_value());
  CHECK_FALSE(runs[2].execution_id.has_value());
  CHECK_FALSE(runs[2].started_at.has_value());

  // Bounded: the first rows in row order.
  auto two = r.list_runs_in_flight(2);
  REQUIRE(two.size() == 2);
  CHECK(two[1].task_id == manual.task_id);
  CHECK(r.list_runs_in_flight(0).empty());
  CHECK(r.list_runs_in_flight(-5).empty());
}

TEST_CASE("execution quarters: a user's executions by UTC quarter hour", "[analytics]") {
  Fixture f;
  auto& r = f.repo();
  Task t = r.insert_task(make_scheduled("u", 1, 0), {});
  std::vector<Execution> es;
  auto ex = [&](int n, std::int64_t started, ExecutionStatus s, double credits) {
    Execution e = make_execution(t, n, started);
    e.status = s;
    e.credits_consumed = credits;
    es.push_back(e);
  };
  ex(1, 0, ExecutionStatus::completed, 0.5);
  ex(2, 899 * kSec, ExecutionStatus::failed, 0.25);    // same quarter hour
  ex(3, 900 * kSec, ExecutionStatus::completed, 1.0);  // next one
  ex(4, 5 * 900 * kSec, ExecutionStatus::running, 0);  // a gap, then a running one
  ex(5, -1, ExecutionStatus::completed, 8.0);          // before `since`
  add_executions(r, t, es);
  Task other = r.insert_task(make_task("v", 2), {});
  add_executions(r, other, {make_execution(other, 6, 0)});

  const auto qs = r.execution_quarters("u", at(0));
  const std::int64_t q0 = to_unix_micros(at(0)) / 900000000;
  REQUIRE(qs.size() == 3);
  CHECK(qs[0].quarter == q0);
  CHECK(qs[0].total == 2);
  CHECK(qs[0].successful == 1);
  CHECK(qs[0].failed == 1);
  CHECK(qs[0].credits == 0.75);
  CHECK(qs[1].quarter == q0 + 1);
  CHECK(qs[1].total == 1);
  CHECK(qs[1].credits == 1.0);
  CHECK(qs[2].quarter == q0 + 5);
  CHECK(qs[2].total == 1);
  CHECK(qs[2].successful == 0);
  CHECK(qs[2].failed == 0);
  // The same rows as execution_totals' quarter-hour counts.
  const auto totals = r.execution_totals(std::string_view("u"), at(0));
  REQUIRE(totals.by_quarter_hour.size() == qs.size());
  for (std::size_t i = 0; i < qs.size(); ++i)
    CHECK(totals.by_quarter_hour[i] == std::pair{qs[i].quarter, qs[i].total});
  // Before 1970 too: floor, not truncation.
  Task early = r.insert_task(make_task("e", 3), {});
  Execution pre = make_execution(early, 7, -1767225600000000LL - 1);  // 1969-12-31T23:59:59.999999
  add_executions(r, early, {pre});
  const auto neg = r.execution_quarters("e", at(-1767225600000000LL - kSec));
  REQUIRE(neg.size() == 1);
  CHECK(neg[0].quarter == -1);
  CHECK(r.execution_quarters("nobody", at(0)).empty());
}
