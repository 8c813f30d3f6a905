// Conformance: recurring todos (docs/api.md §16) — the recurrence column round-trips, and the
// completions written with a task change (Change::completions) list newest first, per task, in
// the same transaction as the task row (a change that fails writes neither).
#include <catch2/catch.hpp>

#include "backend.hpp"
#include "helpers.hpp"
#include "task/core/errors.hpp"

using namespace task;
using namespace task::test;

TEST_CASE("recurrence: the column round-trips; completions list newest first per task",
          "[recurrence]") {
  Fixture f;
  auto& r = f.repo();
  Task t = make_task("u", 1);
  t.due_date = at(10 * kSec);
  t.recurrence = boost::json::object{{"type", "daily"},
                                     {"time", "09:00"},
                                     {"timezone", "UTC"},
                                     {"anchor", "completion"},
                                     {"completed_count", 0}};
  const Task stored = r.insert_task(t, {});
  const Task other = r.insert_task(make_task("v", 2), {});
  REQUIRE(r.find_task(stored.task_id)->recurrence == t.recurrence);
  CHECK_FALSE(r.find_task(other.task_id)->recurrence);
  CHECK(r.list_completions(stored.task_id, 100).empty());

  // Three completions in three changes, one with a tie on completed_at; one for another task.
  const std::int64_t done_at[] = {100, 300, 300};
  for (int i = 0; i < 3; ++i)
    r.modify_task(stored.task_id, [&](const Task& cur) -> std::optional<Change> {
      Change c;
      c.task = cur;
      c.task->due_date = at((i + 2) * 10 * kSec);
      c.task->recurrence->at("completed_count") = i + 1;
      c.completions.push_back(
          Completion{cur.task_id, cur.user_id, cur.due_date, at(done_at[i] * kSec)});
      return c;
    });
  r.modify_task(other.task_id, [&](const Task& cur) -> std::optional<Change> {
    Change c;
    c.completions.push_back(Completion{cur.task_id, cur.user_id, std::nullopt, at(999 * kSec)});
    return c;
  });

  const auto list = r.list_completions(stored.task_id, 100);
  REQUIRE(list.size() == 3);
  CHECK(list[0].completed_at == at(300 * kSec));
  CHECK(list[0].due_date == at(30 * kSec));  // the later insert first on a tie
  CHECK(list[1].completed_at == at(300 * kSec));
  CHECK(list[1].due_date == at(20 * kSec));
  CHECK(list[2].completed_at == at(100 * kSec));
  CHECK(list[2].due_date == at(10 * kSec));
  for (const auto& x : list) {
    CHECK(x.task_id == stored.task_id);
    CHECK(x.user_id == "u");
  }
  CHECK(r.list_completions(stored.task_id, 2).size() == 2);
  const auto others = r.list_completions(other.task_id, 100);
  REQUIRE(others.size() == 1);
  CHECK_FALSE(others[0].due_date);
  CHECK(r.find_task(stored.task_id)->recurrence->at("completed_count").as_int64() == 3);
  CHECK(r.find_task(stored.task_id)->due_date == at(40 * kSec));

  // A change that throws writes neither the task nor its completion.
  CHECK_THROWS_AS(
      r.modify_task(
          stored.task_id,
          [&](const Task& cur) -> std::optional<Change> {
            Change c;
            c.task = cur;
            c.completions.push_back(Completion{cur.task_id, cur.user_id, cur.due_date, at(0)});
            throw Conflict("pending", "completed");
            return c;
          }),
      Conflict);
  CHECK(r.list_completions(stored.task_id, 100).size() == 3);
}
