#include <catch2/catch.hpp>
#include <thread>

#include "task/core/errors.hpp"
#include "task/memory/memory_event_sink.hpp"
#include "task/memory/memory_repository.hpp"
#include "task/rules/builtin_templates.hpp"
#include "test_support.hpp"

using namespace task;
using task::test::T;

namespace {

Task make_task(const std::string& id, const std::string& user, Timestamp created) {
  Task t;
  t.task_id = id;
  t.user_id = user;
  t.name = id;
  t.created_at = t.updated_at = created;
  return t;
}

Event make_event(const std::string& id, Timestamp at) {
  Event e;
  e.id = id;
  e.type = "task.updated";
  e.time = at;
  return e;
}

Execution make_exec(const std::string& id, const std::string& task, const std::string& user,
                    Timestamp started) {
  Execution e;
  e.execution_id = id;
  e.task_id = task;
  e.user_id = user;
  e.started_at = e.created_at = started;
  return e;
}

}  // namespace

TEST_CASE("memory: insert assigns ids and version; modify bumps the version atomically",
          "[memory]") {
  memory::MemoryRepository repo;
  const auto t0 = T("2026-11-26T10:00:00Z");
  const auto a = repo.insert_task(make_task("tsk_a", "u", t0), {make_event("e1", t0)});
  const auto b = repo.insert_task(make_task("tsk_b", "u", t0), {});
  CHECK(a.id == 1);
  CHECK(b.id == 2);
  CHECK(a.version == 1);
  CHECK_THROWS(repo.insert_task(make_task("tsk_a", "u", t0), {}));
  auto c = repo.modify_task("tsk_a", [&](const Task& cur) -> std::optional<Change> {
    Change ch;
    ch.task = cur;
    ch.task->name = "renamed";
    ch.executions.push_back(make_exec("exe_1", "tsk_a", "u", t0));
    ch.events.push_back(make_event("e2", t0));
    return ch;
  });
  REQUIRE(c);
  CHECK(c->task->version == 2);
  CHECK(c->executions[0].id == 1);
  CHECK(repo.find_task("tsk_a")->name == "renamed");
  // nullopt writes nothing; a throw rolls back; a missing row is NotFound.
  CHECK_FALSE(repo.modify_task("tsk_a", [](const Task&) { return std::optional<Change>{}; }));
  CHECK(repo.find_task("tsk_a")->version == 2);
  CHECK_THROWS_AS(
      repo.modify_task("tsk_a",
                       [](const Task&) -> std::optional<Change> { throw Conflict("a", "b"); }),
      Conflict);
  CHECK(repo.find_task("tsk_a")->version == 2);
  CHECK_THROWS_AS(repo.modify_task("tsk_zz", [](const Task&) { return std::optional<Change>{}; }),
                  NotFound);
  // Execution upsert by execution_id keeps the row id.
  repo.modify_task("tsk_a", [&](const Task&) -> std::optional<Change> {
    Change ch;
    auto e = make_exec("exe_1", "tsk_a", "u", t0);
    e.status = ExecutionStatus::completed;
    ch.executions.push_back(e);
    return ch;
  });
  CHECK(repo.find_execution("exe_1")->status == ExecutionStatus::completed);
  CHECK(repo.find_execution("exe_1")->id == 1);
  CHECK(repo.find_task("tsk_a")->version == 2);  // no task in the change: row untouched
  const auto out = repo.fetch_outbox(10);
  REQUIRE(out.size() == 2);
  CHECK(out[0].event.id == "e1");
  CHECK(out[1].event.id == "e2");
  CHECK(out[0].seq < out[1].seq);
}

TEST_CASE("memory: concurrent modify_task loses no update", "[memory]") {
  memory::MemoryRepository repo;
  repo.insert_task(make_task("tsk_a", "u", T("2026-11-26T10:00:00Z")), {});
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&] {
      for (int j = 0; j < 250; ++j)
        repo.modify_task("tsk_a", [](const Task& cur) -> std::optional<Change> {
          Change c;
          c.task = cur;
          c.task->run_count += 1;
          return c;
        });
    });
  for (auto& t : threads)
    t.join();
  CHECK(repo.find_task("tsk_a")->run_count == 1000);
  CHECK(repo.find_task("tsk_a")->version == 1001);
}

TEST_CASE("memory: executions listing, counts and totals", "[memory]") {
  memory::MemoryRepository repo;
  const auto t0 = T("2026-11-26T10:00:00Z");
  repo.insert_task(make_task("tsk_a", "u", t0), {});
  repo.modify_task("tsk_a", [&](const Task&) -> std::optional<Change> {
    Change c;
    for (int i = 0; i < 5; ++i) {
      auto e = make_exec("exe_" + std::to_string(i), "tsk_a", i < 4 ? "u" : "v",
                         t0 + std::chrono::minutes{20 * i});
      e.status = i % 2 ? ExecutionStatus::failed : ExecutionStatus::completed;
      e.duration_ms = 1000 * (i + 1);
      e.credits_consumed = 1;
      e.tokens_used = 2;
      e.api_calls_made = 3;
      c.executions.push_back(e);
    }
    return c;
  });
  const auto page = repo.list_executions("tsk_a", 2, 1);
  CHECK(page.total == 5);
  REQUIRE(page.executions.size() == 2);
  CHECK(page.executions[0].execution_id == "exe_3");
  CHECK(page.executions[1].execution_id == "exe_2");
  CHECK(repo.count_executions_since("u", t0 + std::chrono::minutes{20}) == 3);
  const auto x = repo.execution_totals(std::string_view("u"), t0);
  CHECK(x.total == 4);
  CHECK(x.successful == 2);
  CHECK(x.failed == 2);
  CHECK(x.average_duration_ms == 2500);
  CHECK(x.credits == 4);
  CHECK(x.tokens == 8);
  CHECK(x.api_calls == 12);
  // 10:00, 10:20, 10:40, 11:00 -> quarters 10:00, 10:15, 10:30, 11:00
  REQUIRE(x.by_quarter_hour.size() == 4);
  CHECK(x.by_quarter_hour[0].first * 900 == to_unix_micros(t0) / 1'000'000);
  CHECK(repo.execution_totals(std::nullopt, t0).total == 5);
}

TEST_CASE("memory: due tasks, reminders, earliest due", "[memory]") {
  memory::MemoryRepository repo;
  const auto now = T("2026-11-26T10:00:00Z");
  const auto add = [&](const char* id, Priority p, Timestamp next, TaskStatus s) {
    auto t = make_task(id, "u", now);
    t.priority = p;
    t.next_run_time = next;
    t.status = s;
    repo.insert_task(t, {});
  };
  add("tsk_low_early", Priority::low, now - std::chrono::hours{2}, TaskStatus::scheduled);
  add("tsk_urgent", Priority::urgent, now - std::chrono::minutes{1}, TaskStatus::scheduled);
  add("tsk_high_b", Priority::high, now - std::chrono::minutes{5}, TaskStatus::scheduled);
  add("tsk_high_a", Priority::high, now - std::chrono::minutes{10}, TaskStatus::scheduled);
  add("tsk_future", Priority::urgent, now + std::chrono::minutes{1}, TaskStatus::scheduled);
  add("tsk_paused", Priority::urgent, now - std::chrono::minutes{1}, TaskStatus::paused);
  add("tsk_deleted", Priority::urgent, now - std::chrono::minutes{1}, TaskStatus::scheduled);
  repo.modify_task("tsk_deleted", [&](const Task& cur) -> std::optional<Change> {
    Change c;
    c.task = cur;
    c.task->deleted_at = now;
    return c;
  });
  std::vector<std::string> ids;
  for (const auto& t : repo.list_due_tasks(now, 10))
    ids.push_back(t.task_id);
  CHECK(
      (ids == std::vector<std::string>{"tsk_urgent", "tsk_high_a", "tsk_high_b", "tsk_low_early"}));
  CHECK(repo.list_due_tasks(now, 2).size() == 2);
  CHECK(repo.earliest_due_time() == now - std::chrono::hours{2});
  // Reminders.
  auto r = make_task("tsk_rem", "u", now);
  r.reminder_time = now - std::chrono::minutes{1};
  repo.insert_task(r, {});
  auto done = make_task("tsk_rem_done", "u", now);
  done.reminder_time = now - std::chrono::minutes{2};
  done.is_completed = true;
  repo.insert_task(done, {});
  auto sent = make_task("tsk_rem_sent", "u", now);
  sent.reminder_time = now - std::chrono::minutes{3};
  sent.reminder_sent_at = now;
  repo.insert_task(sent, {});
  auto cancelled = make_task("tsk_rem_cancel", "u", now);
  cancelled.reminder_time = now - std::chrono::minutes{3};
  cancelled.status = TaskStatus::cancelled;
  repo.insert_task(cancelled, {});
  const auto rem = repo.list_due_reminders(now, 10);
  REQUIRE(rem.size() == 1);
  CHECK(rem[0].task_id == "tsk_rem");
}

TEST_CASE("memory: counts, users, open tasks, templates", "[memory]") {
  memory::MemoryRepository repo;
  const auto now = T("2026-11-26T10:00:00Z");
  auto t = make_task("tsk_1", "u", now);
  repo.insert_task(t, {});
  t = make_task("tsk_2", "u", now);
  t.status = TaskStatus::completed;
  t.task_type = TaskType::custom;
  repo.insert_task(t, {});
  t = make_task("tsk_3", "v", now);
  t.status = TaskStatus::cancelled;
  repo.insert_task(t, {});
  const auto c = repo.count_tasks_by(std::string_view("u"));
  CHECK(c.by_status.at(TaskStatus::pending) == 1);
  CHECK(c.by_type.at(TaskType::custom) == 1);
  CHECK(repo.count_tasks_by(std::nullopt).by_status.at(TaskStatus::cancelled) == 1);
  CHECK(repo.list_open_task_ids("u") == std::vector<std::string>{"tsk_1"});
  CHECK(repo.list_open_task_ids("v").empty());
  CHECK_FALSE(repo.find_user_level("u"));
  repo.set_user_level("u", SubscriptionLevel::pro, now);
  repo.set_user_level("u", SubscriptionLevel::free, now - std::chrono::hours{1});  // older: ignored
  CHECK(repo.find_user_level("u") == SubscriptionLevel::pro);
  CHECK(repo.list_templates({}).empty());  // no templates by default
  memory::load_builtin_templates(repo, now);
  const auto all = repo.list_templates({});
  CHECK(all.size() == builtin_templates().size());
  TemplateQuery q;
  q.max_level = SubscriptionLevel::free;
  for (const auto& tmpl : repo.list_templates(q))
    CHECK(tmpl.required_subscription_level == SubscriptionLevel::free);
  auto tmpl = *repo.find_template("tpl_todo");
  const auto id = tmpl.id;
  tmpl.is_active = false;
  CHECK(repo.upsert_template(tmpl).id == id);
  CHECK(repo.list_templates({}).size() == all.size() - 1);
  TemplateQuery with_inactive;
  with_inactive.active_only = false;
  CHECK(repo.list_templates(with_inactive).size() == all.size());
}

TEST_CASE("memory: outbox publish, backlog and prune", "[memory][outbox]") {
  memory::MemoryRepository repo;
  const auto t0 = T("2026-11-26T10:00:00Z");
  repo.insert_task(make_task("tsk_a", "u", t0),
                   {make_event("e1", t0), make_event("e2", t0 + std::chrono::seconds{1}),
                    make_event("e3", t0 + std::chrono::seconds{2})});
  auto backlog = repo.outbox_backlog();
  CHECK(backlog.first == 3);
  CHECK(backlog.second == t0);
  const auto first = repo.fetch_outbox(2);
  REQUIRE(first.size() == 2);
  repo.mark_published({first[0].seq, first[1].seq}, t0 + std::chrono::seconds{5});
  const auto rest = repo.fetch_outbox(10);
  REQUIRE(rest.size() == 1);
  CHECK(rest[0].event.id == "e3");
  backlog = repo.outbox_backlog();
  CHECK(backlog.first == 1);
  CHECK(backlog.second == t0 + std::chrono::seconds{2});
  CHECK(repo.prune_outbox(t0 + std::chrono::seconds{5}) == 0);
  CHECK(repo.prune_outbox(t0 + std::chrono::seconds{6}) == 2);
  CHECK(repo.fetch_outbox(10).size() == 1);
}

TEST_CASE("memory: event sink records, dispatches and simulates outages", "[memory][events]") {
  memory::MemoryEventSink sink;
  std::vector<std::string> seen;
  sink.subscribe([&](const Event& e) { seen.push_back(e.id); });
  sink.publish(make_event("e1", T("2026-11-26T10:00:00Z")));
  sink.set_available(false);
  CHECK_THROWS_AS(sink.publish(make_event("e2", T("2026-11-26T10:00:00Z"))), Unavailable);
  sink.set_available(true);
  sink.publish(make_event("e3", T("2026-11-26T10:00:00Z")));
  CHECK((seen == std::vector<std::string>{"e1", "e3"}));
  CHECK(sink.events().size() == 2);
  sink.clear();
  CHECK(sink.events().empty());
}
