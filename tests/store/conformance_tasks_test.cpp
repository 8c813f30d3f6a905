// Conformance suite, part 1: tasks, listing, modify_task and its transaction. The same cases
// run against every backend (see backend.cpp).
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include "backend.hpp"
#include "helpers.hpp"
#include "support/same_fields.hpp"
#include "task/core/errors.hpp"

using namespace task;
using namespace task::test;

namespace {
TaskQuery user_query(const std::string& user) {
  TaskQuery q;
  q.user_id = user;
  return q;
}
}  // namespace

TEST_CASE("insert_task and find_task round-trip every field", "[tasks]") {
  Fixture f;
  Task t = make_task("user-ü", 1, 123456);
  t.name = "Ünïcödé 任务 🚀 'quoted' \"double\" \\ back";
  t.description = "line1\nline2 — ✓";
  t.task_type = TaskType::price_tracker;
  t.status = TaskStatus::scheduled;
  t.priority = Priority::urgent;
  t.config = {{"url", "https://example.com/ü"}, {"threshold", 12.5}, {"nested", {{"a", {1, 2}}}}};
  t.schedule = boost::json::object{{"type", "cron"}, {"expression", "*/5 * * * *"}};
  t.credits_per_run = 1.25;
  t.tags = {"red", "with,comma", "with \"quote\"", "日本", "back\\slash", "{brace}", "NULL", " "};
  t.metadata = {{"k", "v"}};
  t.next_run_time = at(1);                 // one microsecond
  t.last_run_time = from_unix_micros(-1);  // before 1970
  t.last_success_time = at(999999);
  t.last_error = "boom";
  t.last_result = boost::json::object{{"ok", true}};
  t.run_count = 3;
  t.success_count = 2;
  t.failure_count = 1;
  t.total_credits_consumed = 3.75;
  t.due_date = at(86400 * kSec + 7);
  t.reminder_time = at(3600 * kSec + 11);
  t.is_completed = true;
  t.completed_at = at(42);
  t.updated_at = at(654321);
  t.lease_owner = "replica-1";
  t.lease_expires_at = at(5);
  t.reminder_sent_at = at(6);
  const Event ev = make_event(t, "task.created", 1);

  const Task stored = f.repo().insert_task(t, {ev});
  CHECK(stored.id > 0);
  CHECK(stored.version == 1);
  auto found = f.repo().find_task(t.task_id);
  REQUIRE(found);
  Task expected = t;
  expected.id = stored.id;
  expected.version = 1;
  task::testing::check_same_fields(*found, expected);
  auto outbox = f.repo().fetch_outbox(10);
  REQUIRE(outbox.size() == 1);
  CHECK(outbox[0].event.id == ev.id);
  CHECK(outbox[0].event.data == ev.data);

  CHECK_FALSE(f.repo().find_task("tsk_missing"));
}

TEST_CASE("nullable fields stay null and huge JSON survives", "[tasks]") {
  Fixture f;
  Task t = make_task("u", 2);
  boost::json::array big;
  for (int i = 0; i < 20000; ++i)
    big.emplace_back(boost::json::object{{"i", i}, {"s", "välue " + std::to_string(i)}});
  t.config = {{"items", big}, {"max", 9007199254740993LL}, {"neg", -1.5e-7}};
  f.repo().insert_task(t, {});
  auto found = f.repo().find_task(t.task_id);
  REQUIRE(found);
  CHECK(found->config == t.config);
  CHECK_FALSE(found->description);
  CHECK_FALSE(found->schedule);
  CHECK(found->last_result.is_null());
  CHECK_FALSE(found->next_run_time);
  CHECK_FALSE(found->lease_owner);
  CHECK(found->tags.empty());
  CHECK_FALSE(found->is_completed);
}

TEST_CASE("list_tasks filters, orders, pages and hides deleted tasks", "[tasks]") {
  Fixture f;
  auto& r = f.repo();
  std::vector<Task> mine;
  for (int i = 0; i < 12; ++i) {
    Task t = make_task("alice", 100 + i, (i / 2) * kSec);  // pairs share created_at
    t.priority = i % 2 ? Priority::high : Priority::low;
    t.status = i < 4 ? TaskStatus::completed : TaskStatus::pending;
    t.task_type = i % 3 == 0 ? TaskType::reminder : TaskType::todo;
    t.tags = i % 2 ? std::vector<std::string>{"work", "urgent"} : std::vector<std::string>{"home"};
    t.due_date = at(i * 10 * kSec);
    t.name = i == 5 ? "Buy MILK 50% off_now" : "task " + std::to_string(i);
    mine.push_back(r.insert_task(t, {}));
  }
  r.insert_task(make_task("bob", 999, 0), {});

  TaskQuery q;
  q.user_id = "alice";
  auto page = r.list_tasks(q);
  REQUIRE(page.total == 12);
  REQUIRE(page.tasks.size() == 12);
  CHECK(newest_first(page.tasks, &Task::created_at));

  q.limit = 5;
  q.offset = 5;
  page = r.list_tasks(q);
  CHECK(page.total == 12);
  REQUIRE(page.tasks.size() == 5);
  CHECK(page.tasks[0].task_id == r.list_tasks(user_query("alice")).tasks[5].task_id);

  // keyset: after the 4th row of the full listing
  auto full = r.list_tasks(user_query("alice")).tasks;
  TaskQuery k = user_query("alice");
  k.after = TaskQuery::After{full[3].created_at, full[3].id};
  k.limit = 3;
  page = r.list_tasks(k);
  REQUIRE(page.tasks.size() == 3);
  CHECK(page.tasks[0].task_id == full[4].task_id);
  CHECK(page.tasks[2].task_id == full[6].task_id);
  CHECK(page.total == 12);

  TaskQuery s = user_query("alice");
  s.status = TaskStatus::completed;
  CHECK(r.list_tasks(s).total == 4);
  s = user_query("alice");
  s.task_type = TaskType::reminder;
  CHECK(r.list_tasks(s).total == 4);
  s = user_query("alice");
  s.priority = Priority::high;
  CHECK(r.list_tasks(s).total == 6);
  s = user_query("alice");
  s.tags = {"urgent", "work"};
  CHECK(r.list_tasks(s).total == 6);
  s.tags = {"urgent", "home"};
  CHECK(r.list_tasks(s).total == 0);
  s = user_query("alice");
  s.due_before = at(30 * kSec);
  CHECK(r.list_tasks(s).total == 3);  // 0, 10, 20
  s.due_after = at(0);
  CHECK(r.list_tasks(s).total == 2);  // strict on both ends
  s = user_query("alice");
  s.q = "milk 50% OFF_";
  page = r.list_tasks(s);
  REQUIRE(page.total == 1);
  CHECK(page.tasks[0].name == "Buy MILK 50% off_now");
  s.q = "%";  // a literal percent sign, not a wildcard
  CHECK(r.list_tasks(s).total == 1);
  s.q = "_";
  CHECK(r.list_tasks(s).total == 1);

  // soft delete hides from listings and counts, not from find_task
  CHECK(count_user_tasks(r, "alice") == 12);
  r.modify_task(mine[0].task_id, [&](const Task& cur) -> std::optional<Change> {
    Change c;
    c.task = cur;
    c.task->deleted_at = at(100 * kSec);
    return c;
  });
  CHECK(count_user_tasks(r, "alice") == 11);
  CHECK(r.list_tasks(user_query("alice")).total == 11);
  auto deleted = r.find_task(mine[0].task_id);
  REQUIRE(deleted);
  CHECK(deleted->deleted_at == at(100 * kSec));
  CHECK(count_user_tasks(r, "nobody") == 0);
}

TEST_CASE("modify_task writes task, executions and events atomically", "[tasks][tx]") {
  Fixture f;
  auto& r = f.repo();
  const Task t = r.insert_task(make_task("u", 7), {});

  SECTION("a write bumps the version and stores everything") {
    Execution e = make_execution(t, 1, 10 * kSec);
    e.scheduled_for = at(10 * kSec);
    auto written = r.modify_task(t.task_id, [&](const Task& cur) -> std::optional<Change> {
      Change c;
      c.task = cur;
      c.task->run_count = cur.run_count + 1;
      c.task->updated_at = at(11 * kSec);
      c.executions.push_back(e);
      c.events.push_back(make_event(cur, "task.updated", 2));
      return c;
    });
    REQUIRE(written);
    CHECK(written->task->version == 2);
    CHECK(written->executions.at(0).id > 0);
    auto now = r.find_task(t.task_id);
    CHECK(now->version == 2);
    CHECK(now->run_count == 1);
    CHECK(now->updated_at == at(11 * kSec));
    CHECK(r.find_execution(e.execution_id)->scheduled_for == at(10 * kSec));
    CHECK(r.fetch_outbox(10).size() == 1);

    // update the same execution by execution_id
    r.modify_task(t.task_id, [&](const Task&) -> std::optional<Change> {
      Change c;
      Execution done = e;
      done.status = ExecutionStatus::completed;
      done.duration_ms = 1500;
      done.completed_at = at(12 * kSec);
      c.executions.push_back(done);
      return c;
    });
    auto stored = r.find_execution(e.execution_id);
    CHECK(stored->status == ExecutionStatus::completed);
    CHECK(stored->duration_ms == 1500);
    CHECK(r.list_executions(t.task_id, 10, 0).total == 1);
    CHECK(r.find_task(t.task_id)->version == 2);  // no task in the change: no bump
  }

  SECTION("nullopt writes nothing") {
    auto written = r.modify_task(t.task_id, [](const Task&) { return std::optional<Change>{}; });
    CHECK_FALSE(written);
    CHECK(r.find_task(t.task_id)->version == 1);
  }

  SECTION("an exception from fn rolls back and propagates") {
    CHECK_THROWS_AS(r.modify_task(t.task_id,
                                  [](const Task&) -> std::optional<Change> {
                                    throw PreconditionFailed("\"1\"");
                                  }),
                    PreconditionFailed);
    CHECK(r.find_task(t.task_id)->version == 1);
    CHECK(r.fetch_outbox(10).empty());
  }

  SECTION("a write failing midway leaves nothing half-written") {
    Execution first = make_execution(t, 1, 0);
    first.scheduled_for = at(60 * kSec);
    r.modify_task(t.task_id, [&](const Task&) -> std::optional<Change> {
      Change c;
      c.executions.push_back(first);
      return c;
    });
    // Same (task_id, scheduled_for) slot under another execution id: the unique index rejects
    // it after the task row was already updated inside the transaction.
    Execution dup = make_execution(t, 2, 0);
    dup.scheduled_for = first.scheduled_for;
    CHECK_THROWS_AS(r.modify_task(t.task_id,
                                  [&](const Task& cur) -> std::optional<Change> {
                                    Change c;
                                    c.task = cur;
                                    c.task->name = "changed";
                                    c.executions.push_back(dup);
                                    c.events.push_back(make_event(cur, "task.updated", 3));
                                    return c;
                                  }),
                    Conflict);
    auto now = r.find_task(t.task_id);
    CHECK(now->name == t.name);
    CHECK(now->version == 1);
    CHECK_FALSE(r.find_execution(dup.execution_id));
    CHECK(r.fetch_outbox(10).empty());
  }

  SECTION("unknown task is NotFound") {
    CHECK_THROWS_AS(r.modify_task("tsk_nope", [](const Task&) { return std::optional<Change>{}; }),
                    NotFound);
  }
}

TEST_CASE("insert_task with a duplicate task_id writes neither row nor events", "[tasks][tx]") {
  Fixture f;
  auto& r = f.repo();
  Task t = make_task("u", 8);
  r.insert_task(t, {make_event(t, "task.created", 1)});
  t.name = "second";
  CHECK_THROWS_AS(r.insert_task(t, {make_event(t, "task.created", 2)}), Conflict);
  CHECK(r.find_task(t.task_id)->name != "second");
  CHECK(r.fetch_outbox(10).size() == 1);
  CHECK(count_user_tasks(r, "u") == 1);
}
