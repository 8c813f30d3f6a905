// Conformance suite, part 4: modify_tasks, the batch read-modify-write the scheduler starts and
// finishes runs with. The same cases run against every backend (see backend.cpp).
#include <catch2/catch.hpp>
#include <set>

#include "backend.hpp"
#include "helpers.hpp"
#include "task/core/errors.hpp"

using namespace task;
using namespace task::test;

namespace {

/// A change that counts a run of `cur` in slot `slot_us` (an execution and an event).
Change run_change(const Task& cur, std::int64_t n, std::int64_t slot_us) {
  Change c;
  c.task = cur;
  c.task->run_count = cur.run_count + 1;
  c.task->name = cur.name + " ran";
  Execution e = make_execution(cur, n, slot_us);
  e.scheduled_for = at(slot_us);
  c.executions.push_back(e);
  c.events.push_back(make_event(cur, "task.updated", n));
  return c;
}

std::vector<std::string> ids_of(const std::vector<Task>& tasks) {
  std::vector<std::string> out;
  for (const auto& t : tasks)
    out.push_back(t.task_id);
  return out;
}

}  // namespace

TEST_CASE("modify_tasks writes every change of a batch in one transaction", "[tasks][tx][batch]") {
  Fixture f;
  auto& r = f.repo();
  std::vector<Task> tasks;
  for (int i = 0; i < 5; ++i)
    tasks.push_back(r.insert_task(make_task("u", 100 + i), {}));

  SECTION("results follow the given order; unknown ids and nullopt write nothing") {
    std::vector<std::string> ids = {tasks[3].task_id, "tsk_missing", tasks[0].task_id,
                                    tasks[1].task_id};
    int n = 0;
    auto written = r.modify_tasks(ids, [&](const Task& cur) -> std::optional<Change> {
      if (cur.task_id == tasks[1].task_id) return std::nullopt;
      ++n;
      return run_change(cur, 1000 + n, n * kSec);
    });
    REQUIRE(written.size() == 4);
    REQUIRE(written[0]);
    CHECK(written[0]->task->task_id == tasks[3].task_id);
    CHECK(written[0]->task->version == 2);
    CHECK(written[0]->executions.at(0).id > 0);
    CHECK_FALSE(written[1]);
    REQUIRE(written[2]);
    CHECK(written[2]->task->task_id == tasks[0].task_id);
    CHECK_FALSE(written[3]);
    CHECK(written[0]->executions.at(0).id != written[2]->executions.at(0).id);

    CHECK(r.find_task(tasks[3].task_id)->name == tasks[3].name + " ran");
    CHECK(r.find_task(tasks[3].task_id)->version == 2);
    CHECK(r.find_task(tasks[0].task_id)->run_count == 1);
    CHECK(r.find_task(tasks[1].task_id)->version == 1);
    CHECK(r.find_task(tasks[2].task_id)->version == 1);
    CHECK(r.list_executions(tasks[3].task_id, 10, 0).total == 1);
    CHECK(r.fetch_outbox(10).size() == 2);
  }

  SECTION("a taken slot anywhere in the batch throws Conflict and writes nothing") {
    r.modify_task(tasks[2].task_id, [&](const Task& cur) -> std::optional<Change> {
      return run_change(cur, 1, 7 * kSec);
    });
    const auto outbox_before = r.fetch_outbox(100).size();
    CHECK_THROWS_AS(r.modify_tasks(ids_of(tasks),
                                   [&](const Task& cur) -> std::optional<Change> {
                                     // the third task repeats its stored slot (7 s)
                                     return run_change(cur, 2000 + cur.id, 7 * kSec);
                                   }),
                    Conflict);
    for (const auto& t : tasks) {
      const auto now = r.find_task(t.task_id);
      CHECK(now->version == (t.task_id == tasks[2].task_id ? 2 : 1));
    }
    CHECK(r.fetch_outbox(100).size() == outbox_before);
    CHECK(r.list_executions(tasks[0].task_id, 10, 0).total == 0);
  }

  SECTION("an exception from fn rolls back the whole batch") {
    int calls = 0;
    CHECK_THROWS_AS(r.modify_tasks(ids_of(tasks),
                                   [&](const Task& cur) -> std::optional<Change> {
                                     if (++calls == 4) throw PreconditionFailed("\"x\"");
                                     return run_change(cur, 3000 + cur.id, kSec);
                                   }),
                    PreconditionFailed);
    for (const auto& t : tasks)
      CHECK(r.find_task(t.task_id)->version == 1);
    CHECK(r.fetch_outbox(100).empty());
  }

  SECTION("an execution of the batch is updated in place by execution_id") {
    auto first = r.modify_tasks({tasks[4].task_id}, [&](const Task& cur) -> std::optional<Change> {
      return run_change(cur, 4000, 9 * kSec);
    });
    Execution done = first.at(0)->executions.at(0);
    done.status = ExecutionStatus::completed;
    done.duration_ms = 25;
    auto second = r.modify_tasks({tasks[4].task_id}, [&](const Task&) -> std::optional<Change> {
      Change c;
      c.executions.push_back(done);
      return c;
    });
    CHECK(second.at(0)->executions.at(0).id == first.at(0)->executions.at(0).id);
    CHECK(r.find_execution(done.execution_id)->duration_ms == 25);
    CHECK(r.list_executions(tasks[4].task_id, 10, 0).total == 1);
  }

  SECTION("an empty batch is a no-op") {
    CHECK(r.modify_tasks({}, [](const Task&) { return std::optional<Change>{}; }).empty());
  }
}

TEST_CASE("modify_tasks splits a large batch across statements", "[tasks][batch]") {
  Fixture f;
  auto& r = f.repo();
  // 700 tasks with 34 bound values each exceed one statement's limit on every backend.
  std::vector<Task> tasks;
  for (int i = 0; i < 700; ++i)
    tasks.push_back(r.insert_task(make_task("u" + std::to_string(i % 7), 5000 + i), {}));
  auto written = r.modify_tasks(ids_of(tasks), [&](const Task& cur) -> std::optional<Change> {
    return run_change(cur, 10000 + cur.id, cur.id * kSec);
  });
  REQUIRE(written.size() == tasks.size());
  std::set<std::int64_t> execution_ids;
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    REQUIRE(written[i]);
    CHECK(written[i]->task->task_id == tasks[i].task_id);
    execution_ids.insert(written[i]->executions.at(0).id);
  }
  CHECK(execution_ids.size() == tasks.size());
  CHECK(r.find_task(tasks.back().task_id)->run_count == 1);
  CHECK(r.find_task(tasks.front().task_id)->version == 2);
  CHECK(r.fetch_outbox(1000).size() == tasks.size());
  const auto e = r.find_execution(written[350]->executions.at(0).execution_id);
  REQUIRE(e);
  CHECK(e->task_id == tasks[350].task_id);
  CHECK(e->id == written[350]->executions.at(0).id);
}

TEST_CASE("modify_due_tasks locks due tasks in claim order and writes their changes",
          "[scheduler][batch]") {
  Fixture f;
  auto& r = f.repo();
  r.insert_task(make_scheduled("u", 1, 30 * kSec, Priority::low), {});
  r.insert_task(make_scheduled("u", 2, 20 * kSec, Priority::medium), {});
  r.insert_task(make_scheduled("u", 3, 10 * kSec, Priority::medium), {});
  r.insert_task(make_scheduled("u", 4, 40 * kSec, Priority::urgent), {});
  r.insert_task(make_scheduled("u", 5, 500 * kSec), {});  // not due yet
  Task leased = make_scheduled("u", 6, 5 * kSec);
  leased.lease_owner = "other";
  leased.lease_expires_at = at(1000 * kSec);
  r.insert_task(leased, {});
  Task deleted = make_scheduled("u", 7, 5 * kSec);
  deleted.deleted_at = at(kSec);
  r.insert_task(deleted, {});

  SECTION("order, limit, nullopt and written versions") {
    auto got = r.modify_due_tasks(at(100 * kSec), 3, [&](const Task& cur) -> std::optional<Change> {
      if (cur.task_id == make_id("tsk_", 3)) return std::nullopt;
      Change c;
      c.task = cur;
      c.task->status = TaskStatus::running;
      return c;
    });
    REQUIRE(got.size() == 3);
    CHECK(got[0].first.task_id == make_id("tsk_", 4));  // urgent first
    CHECK(got[1].first.task_id == make_id("tsk_", 3));  // then medium by slot
    CHECK(got[2].first.task_id == make_id("tsk_", 2));
    CHECK_FALSE(got[1].second);
    REQUIRE(got[0].second);
    CHECK(got[0].second->task->version == 2);
    CHECK(r.find_task(make_id("tsk_", 4))->status == TaskStatus::running);
    CHECK(r.find_task(make_id("tsk_", 3))->version == 1);
    // What is left due: tasks 3 (unchanged, still due) and 1 (low); never 5, 6 or 7.
    auto rest =
        r.modify_due_tasks(at(100 * kSec), 10, [](const Task&) { return std::optional<Change>{}; });
    REQUIRE(rest.size() == 2);
    CHECK(rest[0].first.task_id == make_id("tsk_", 3));
    CHECK(rest[1].first.task_id == make_id("tsk_", 1));
  }

  SECTION("a taken slot throws Conflict and writes nothing") {
    const Task one = *r.find_task(make_id("tsk_", 2));
    r.modify_task(one.task_id, [&](const Task& cur) -> std::optional<Change> {
      return run_change(cur, 1, 7 * kSec);
    });
    CHECK_THROWS_AS(r.modify_due_tasks(at(100 * kSec), 10,
                                       [&](const Task& cur) -> std::optional<Change> {
                                         return run_change(cur, 100 + cur.id, 7 * kSec);
                                       }),
                    Conflict);
    CHECK(r.find_task(make_id("tsk_", 4))->version == 1);
    CHECK(r.list_executions(make_id("tsk_", 4), 10, 0).total == 0);
  }
}

TEST_CASE("claim_lost_runs claims only running tasks whose lease expired", "[scheduler]") {
  Fixture f;
  auto& r = f.repo();
  const Task lost = make_running("u", 1, "dead", 10 * kSec);
  r.insert_task(lost, {});
  Task alive = lost;
  alive.task_id = make_id("tsk_", 2);
  alive.lease_expires_at = at(1000 * kSec);
  r.insert_task(alive, {});
  r.insert_task(make_scheduled("u", 3, 0), {});  // due, but not lost
  auto got = r.claim_lost_runs(at(20 * kSec), 10, "me", std::chrono::seconds(30));
  REQUIRE(got.size() == 1);
  CHECK(got[0].task_id == lost.task_id);
  CHECK(got[0].lease_owner == "me");
  CHECK(got[0].lease_expires_at == at(50 * kSec));
  CHECK(r.claim_lost_runs(at(20 * kSec), 10, "other", std::chrono::seconds(30)).empty());
}
