// Conformance suite, part 2: executions, templates, analytics, scheduler, users, outbox.
#include <catch2/catch.hpp>

#include "backend.hpp"
#include "helpers.hpp"
#include "task/core/errors.hpp"

using namespace task;
using namespace task::test;

TEST_CASE("executions: find, list newest first with paging, count since", "[executions]") {
  Fixture f;
  auto& r = f.repo();
  const Task t = r.insert_task(make_task("u", 1), {});
  const Task other = r.insert_task(make_task("v", 2), {});
  std::vector<Execution> es;
  for (int i = 0; i < 7; ++i) {
    Execution e = make_execution(t, i, (i % 3) * kSec);  // ties on started_at
    e.result = boost::json::object{{"i", i}};
    e.tokens_used = i;
    es.push_back(e);
  }
  add_executions(r, t, es);
  add_executions(r, other, {make_execution(other, 100, 0)});

  auto found = r.find_execution(es[4].execution_id);
  REQUIRE(found);
  CHECK(found->result == es[4].result);
  CHECK(found->tokens_used == 4);
  CHECK_FALSE(found->duration_ms);
  CHECK(found->error_details.is_null());
  CHECK_FALSE(r.find_execution("exe_missing"));

  auto page = r.list_executions(t.task_id, 100, 0);
  CHECK(page.total == 7);
  REQUIRE(page.executions.size() == 7);
  CHECK(newest_first(page.executions, &Execution::started_at));
  auto second = r.list_executions(t.task_id, 3, 3);
  CHECK(second.total == 7);
  REQUIRE(second.executions.size() == 3);
  CHECK(second.executions[0].execution_id == page.executions[3].execution_id);

  CHECK(r.count_executions_since("u", at(0)) == 7);
  CHECK(r.count_executions_since("u", at(1 * kSec)) == 4);
  CHECK(r.count_executions_since("u", at(2 * kSec + 1)) == 0);
  CHECK(r.count_executions_since("nobody", at(0)) == 0);
}

TEST_CASE("templates: upsert, find, filtered listing in category/name order", "[templates]") {
  Fixture f;
  auto& r = f.repo();
  // Start from what the backend seeded (built-in templates), then add ours.
  const auto seeded =
      r.list_templates(TemplateQuery{std::nullopt, std::nullopt, std::nullopt, false});
  auto make = [](std::string id, TemplateCategory c, std::string name, SubscriptionLevel l) {
    Template t;
    t.template_id = std::move(id);
    t.name = std::move(name);
    t.category = c;
    t.task_type = TaskType::custom;
    t.required_subscription_level = l;
    t.required_fields = {"a", "b"};
    t.optional_fields = {"c"};
    t.default_config = {{"x", 1}};
    t.config_schema = {{"type", "object"}};
    t.created_at = at(0);
    t.updated_at = at(0);
    return t;
  };
  r.upsert_template(make("zz_t1", TemplateCategory::monitoring, "Zeta", SubscriptionLevel::free));
  r.upsert_template(make("zz_t2", TemplateCategory::alerts, "Beta", SubscriptionLevel::pro));
  r.upsert_template(make("zz_t3", TemplateCategory::alerts, "Alpha", SubscriptionLevel::basic));
  Template inactive = make("zz_t4", TemplateCategory::alerts, "Aaa", SubscriptionLevel::free);
  inactive.is_active = false;
  r.upsert_template(inactive);

  auto t2 = r.find_template("zz_t2");
  REQUIRE(t2);
  CHECK(t2->required_fields == std::vector<std::string>{"a", "b"});
  CHECK(t2->config_schema == boost::json::object{{"type", "object"}});
  CHECK(t2->required_subscription_level == SubscriptionLevel::pro);
  CHECK_FALSE(r.find_template("zz_none"));

  // replace by template_id
  Template renamed = *t2;
  renamed.name = "Beta 2";
  renamed.credits_per_run = 2.5;
  r.upsert_template(renamed);
  CHECK(r.find_template("zz_t2")->name == "Beta 2");
  CHECK(r.find_template("zz_t2")->credits_per_run == 2.5);

  TemplateQuery q;
  q.category = TemplateCategory::alerts;
  std::vector<std::string> ids;
  for (const auto& t : r.list_templates(q))
    if (t.template_id.rfind("zz_", 0) == 0) ids.push_back(t.template_id);
  CHECK(ids == std::vector<std::string>{"zz_t3", "zz_t2"});  // Alpha, Beta 2; inactive hidden

  q.active_only = false;
  ids.clear();
  for (const auto& t : r.list_templates(q))
    if (t.template_id.rfind("zz_", 0) == 0) ids.push_back(t.template_id);
  CHECK(ids == std::vector<std::string>{"zz_t4", "zz_t3", "zz_t2"});

  TemplateQuery lvl;
  lvl.max_level = SubscriptionLevel::basic;
  for (const auto& t : r.list_templates(lvl)) {
    CHECK(level_at_least(SubscriptionLevel::basic, t.required_subscription_level));
    CHECK(t.is_active);
  }
  auto all = r.list_templates(TemplateQuery{std::nullopt, std::nullopt, std::nullopt, false});
  CHECK(all.size() == seeded.size() + 4);
  for (std::size_t i = 1; i < all.size(); ++i) {
    const auto a = std::string(to_string(all[i - 1].category));
    const auto b = std::string(to_string(all[i].category));
    CHECK((a < b || (a == b && all[i - 1].name <= all[i].name)));
  }
}

TEST_CASE("analytics aggregate in storage", "[analytics]") {
  Fixture f;
  auto& r = f.repo();
  Task a = make_task("u", 1);
  a.status = TaskStatus::completed;
  a.task_type = TaskType::reminder;
  a = r.insert_task(a, {});
  Task b = make_scheduled("u", 2, 0);
  b = r.insert_task(b, {});
  Task gone = make_task("u", 3);
  gone.deleted_at = at(0);
  r.insert_task(gone, {});
  r.insert_task(make_task("v", 4), {});

  auto counts = r.count_tasks_by(std::string_view("u"));
  CHECK(counts.by_status[TaskStatus::completed] == 1);
  CHECK(counts.by_status[TaskStatus::scheduled] == 1);
  CHECK(counts.by_status.count(TaskStatus::pending) == 0);
  CHECK(counts.by_type[TaskType::reminder] == 1);
  CHECK(counts.by_type[TaskType::custom] == 1);
  auto all = r.count_tasks_by(std::nullopt);
  CHECK(all.by_status[TaskStatus::pending] == 1);  // v's task; the deleted one is not counted

  std::vector<Execution> es;
  auto ex = [&](int n, std::int64_t started, ExecutionStatus s, std::optional<std::int64_t> dur) {
    Execution e = make_execution(b, n, started);
    e.status = s;
    e.duration_ms = dur;
    e.credits_consumed = 0.5;
    e.tokens_used = 10;
    e.api_calls_made = 2;
    es.push_back(e);
  };
  ex(1, 0, ExecutionStatus::completed, 100);
  ex(2, 899 * kSec, ExecutionStatus::failed, 300);              // same quarter hour
  ex(3, 900 * kSec, ExecutionStatus::completed, std::nullopt);  // next quarter hour
  ex(4, -1, ExecutionStatus::running, std::nullopt);            // before `since`
  add_executions(r, b, es);
  Task v = *r.find_task(make_id("tsk_", 4));
  add_executions(r, v, {make_execution(v, 50, 0)});

  auto totals = r.execution_totals(std::string_view("u"), at(0));
  CHECK(totals.total == 3);
  CHECK(totals.successful == 2);
  CHECK(totals.failed == 1);
  CHECK(totals.average_duration_ms == Approx(200.0));
  CHECK(totals.credits == Approx(1.5));
  CHECK(totals.tokens == 30);
  CHECK(totals.api_calls == 6);
  const std::int64_t q0 = to_unix_micros(at(0)) / 900000000;
  REQUIRE(totals.by_quarter_hour.size() == 2);
  CHECK(totals.by_quarter_hour[0] == std::pair<std::int64_t, std::int64_t>{q0, 2});
  CHECK(totals.by_quarter_hour[1] == std::pair<std::int64_t, std::int64_t>{q0 + 1, 1});

  auto everyone = r.execution_totals(std::nullopt, at(-1));
  CHECK(everyone.total == 5);
  auto none = r.execution_totals(std::string_view("nobody"), at(0));
  CHECK(none.total == 0);
  CHECK(none.average_duration_ms == 0);
  CHECK(none.by_quarter_hour.empty());
}

TEST_CASE("scheduler: due tasks, earliest time, reminders", "[scheduler]") {
  Fixture f;
  auto& r = f.repo();
  CHECK_FALSE(r.earliest_due_time());
  r.insert_task(make_scheduled("u", 1, 5 * kSec, Priority::low), {});
  r.insert_task(make_scheduled("u", 2, 3 * kSec, Priority::urgent), {});
  r.insert_task(make_scheduled("v", 3, 1 * kSec, Priority::low), {});
  r.insert_task(make_scheduled("v", 4, 100 * kSec, Priority::urgent), {});  // not due
  Task paused = make_scheduled("v", 5, 0);
  paused.status = TaskStatus::paused;
  r.insert_task(paused, {});
  Task deleted = make_scheduled("v", 6, 0);
  deleted.deleted_at = at(0);
  r.insert_task(deleted, {});

  CHECK(r.earliest_due_time() == at(1 * kSec));
  auto due = r.list_due_tasks(at(10 * kSec), 10);
  REQUIRE(due.size() == 3);
  CHECK(due[0].task_id == make_id("tsk_", 2));  // urgent first
  CHECK(due[1].task_id == make_id("tsk_", 3));  // then by next_run_time
  CHECK(due[2].task_id == make_id("tsk_", 1));
  CHECK(r.list_due_tasks(at(10 * kSec), 1).size() == 1);

  CHECK(r.list_due_tasks(at(41 * kSec), 10).size() == 3);

  Task rem = make_task("u", 10);
  rem.reminder_time = at(5 * kSec);
  r.insert_task(rem, {});
  Task rem_sent = make_task("u", 11);
  rem_sent.reminder_time = at(1 * kSec);
  rem_sent.reminder_sent_at = at(2 * kSec);
  r.insert_task(rem_sent, {});
  Task rem_done = make_task("u", 12);
  rem_done.reminder_time = at(1 * kSec);
  rem_done.is_completed = true;
  rem_done.status = TaskStatus::completed;
  r.insert_task(rem_done, {});
  Task rem_cancelled = make_task("u", 13);
  rem_cancelled.reminder_time = at(1 * kSec);
  rem_cancelled.status = TaskStatus::cancelled;
  r.insert_task(rem_cancelled, {});
  Task rem_early = make_task("u", 14);
  rem_early.reminder_time = at(2 * kSec);
  r.insert_task(rem_early, {});
  auto reminders = r.list_due_reminders(at(10 * kSec), 10);
  REQUIRE(reminders.size() == 2);
  CHECK(reminders[0].task_id == make_id("tsk_", 14));
  CHECK(reminders[1].task_id == make_id("tsk_", 10));
  CHECK(r.list_due_reminders(at(3 * kSec), 10).size() == 1);
}

TEST_CASE("users: stored levels and open task ids", "[users]") {
  Fixture f;
  auto& r = f.repo();
  CHECK_FALSE(r.find_user_level("u"));
  r.set_user_level("u", SubscriptionLevel::pro, at(0));
  CHECK(r.find_user_level("u") == SubscriptionLevel::pro);
  r.set_user_level("u", SubscriptionLevel::basic, at(1));
  CHECK(r.find_user_level("u") == SubscriptionLevel::basic);

  r.insert_task(make_task("u", 1), {});
  Task done = make_task("u", 2);
  done.status = TaskStatus::completed;
  r.insert_task(done, {});
  Task cancelled = make_task("u", 3);
  cancelled.status = TaskStatus::cancelled;
  r.insert_task(cancelled, {});
  Task deleted = make_task("u", 4);
  deleted.deleted_at = at(0);
  r.insert_task(deleted, {});
  r.insert_task(make_scheduled("u", 5, 0), {});
  r.insert_task(make_task("other", 6), {});
  auto ids = r.list_open_task_ids("u");
  std::sort(ids.begin(), ids.end());
  CHECK(ids == std::vector<std::string>{make_id("tsk_", 1), make_id("tsk_", 5)});
}

TEST_CASE("outbox: commit order, publish, prune, backlog", "[outbox]") {
  Fixture f;
  auto& r = f.repo();
  CHECK(r.outbox_backlog() == std::pair<std::int64_t, std::optional<Timestamp>>{0, std::nullopt});
  Task t = make_task("u", 1);
  t = r.insert_task(t, {make_event(t, "task.created", 1, 5), make_event(t, "task.updated", 2, 6)});
  r.modify_task(t.task_id, [&](const Task& cur) -> std::optional<Change> {
    Change c;
    c.events.push_back(make_event(cur, "task.deleted", 3, 7));
    return c;
  });
  auto entries = r.fetch_outbox(10);
  REQUIRE(entries.size() == 3);
  CHECK(entries[0].seq < entries[1].seq);
  CHECK(entries[1].seq < entries[2].seq);
  CHECK(entries[0].event.type == "task.created");
  CHECK(entries[0].event.time == at(5));
  CHECK(entries[2].event.type == "task.deleted");
  CHECK(entries[2].event.user_id == "u");
  CHECK(r.fetch_outbox(2).size() == 2);
  auto backlog = r.outbox_backlog();
  CHECK(backlog.first == 3);
  CHECK(backlog.second == at(5));

  r.mark_published({entries[0].seq, entries[1].seq}, at(100));
  auto left = r.fetch_outbox(10);
  REQUIRE(left.size() == 1);
  CHECK(left[0].seq == entries[2].seq);
  CHECK(r.outbox_backlog().first == 1);
  CHECK(r.outbox_backlog().second == at(7));
  r.mark_published({}, at(100));

  CHECK(r.prune_outbox(at(100)) == 0);  // strictly older than
  CHECK(r.prune_outbox(at(101)) == 2);
  CHECK(r.prune_outbox(at(101)) == 0);
  CHECK(r.fetch_outbox(10).size() == 1);  // unpublished entries are never pruned
}

TEST_CASE("ping succeeds on a live backend", "[health]") {
  Fixture f;
  CHECK_NOTHROW(f.repo().ping());
}
