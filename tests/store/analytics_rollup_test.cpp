// The analytics rollup of migration 0005 against the scan it replaces: execution_totals (and the
// analytics built from it, with time zones) must be the same on random executions written,
// rewritten and deleted through the real write paths, for windows starting on, just before and
// just after quarter-hour edges and at `days` edges.
#include <catch2/catch.hpp>
#include <cmath>
#include <random>

#include "backend.hpp"
#include "helpers.hpp"
#include "task/rules/analytics.hpp"

using namespace task;
using namespace task::test;

namespace {

constexpr std::int64_t kQuarter = 900 * kSec;
constexpr std::int64_t kDay = 86400 * kSec;
// A quarter-hour edge (2026-11-30T12:00Z) as "now".
constexpr std::int64_t kNow = 1796040000LL * kSec;

void same_totals(const ExecutionTotals& scan, const ExecutionTotals& rollup, bool exact_credits) {
  CHECK(rollup.total == scan.total);
  CHECK(rollup.successful == scan.successful);
  CHECK(rollup.failed == scan.failed);
  CHECK(rollup.tokens == scan.tokens);
  CHECK(rollup.api_calls == scan.api_calls);
  CHECK(rollup.average_duration_ms == scan.average_duration_ms);
  CHECK(rollup.by_quarter_hour == scan.by_quarter_hour);
  if (exact_credits)
    CHECK(rollup.credits == scan.credits);
  else  // SQLite REAL: the rollup's additions and subtractions round differently
    CHECK(std::abs(rollup.credits - scan.credits) <= 1e-9 * std::max(1.0, std::abs(scan.credits)));
}

}  // namespace

TEST_CASE("analytics rollup: the same totals as the scan of task_executions", "[rollup]") {
  Fixture f;
  if (!f.sql()) return;  // the rollup is SQL (migration 0005)
  task::store::StoreOptions scan_options;
  scan_options.analytics_rollup = false;
  auto scan = f.open_another(scan_options);
  auto& repo = f.repo();  // analytics_rollup on (the default)

  const std::uint64_t seed = 0x5eed0015;
  INFO("seed " << seed);
  std::mt19937_64 rng(seed);
  auto uniform = [&](std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
  };
  const std::vector<std::string> users{"ann", "bo", "cy"};
  std::vector<Task> tasks;
  for (std::size_t i = 0; i < users.size() * 2; ++i) {
    tasks.push_back(make_task(users[i % users.size()], static_cast<std::int64_t>(i) + 1));
    repo.insert_task(tasks.back(), {});
  }
  // Start times: 32 days around now, a third of them on or next to a quarter-hour edge.
  auto started = [&] {
    const std::int64_t edge = kNow - uniform(0, 32 * 96) * kQuarter;
    switch (uniform(0, 2)) {
      case 0:
        return edge + uniform(-1, 1);
      default:
        return kNow - uniform(0, 32 * kDay) + uniform(-kDay, kDay);
    }
  };
  const ExecutionStatus statuses[] = {ExecutionStatus::running, ExecutionStatus::completed,
                                      ExecutionStatus::failed, ExecutionStatus::cancelled};
  auto randomize = [&](Execution& e) {
    e.status = statuses[uniform(0, 3)];
    e.duration_ms =
        uniform(0, 3) == 0 ? std::nullopt : std::optional<std::int64_t>(uniform(0, 9999));
    e.credits_consumed = std::uniform_real_distribution<double>(0, 50)(rng);
    e.tokens_used =
        uniform(0, 2) == 0 ? std::nullopt : std::optional<std::int64_t>(uniform(0, 5000));
    e.api_calls_made = uniform(0, 9);
  };
  std::vector<Execution> all;
  std::int64_t n = 0;
  for (int round = 0; round < 6; ++round) {
    // A batch of new executions per task, in one transaction (multi-row statements).
    std::vector<std::string> ids;
    for (const auto& t : tasks)
      ids.push_back(t.task_id);
    repo.modify_tasks(ids, [&](const Task& t) -> std::optional<Change> {
      Change c;
      for (int k = 0; k < 25; ++k) {
        Execution e = make_execution(t, ++n, started());
        randomize(e);
        c.executions.push_back(e);
        all.push_back(e);
      }
      return c;
    });
    // Rewrite some earlier ones: new outcome, some moved to another quarter hour.
    for (int k = 0; k < 20; ++k) {
      Execution& e =
          all[static_cast<std::size_t>(uniform(0, static_cast<std::int64_t>(all.size()) - 1))];
      randomize(e);
      if (uniform(0, 3) == 0) e.started_at = at(started());
      repo.modify_task(e.task_id, [&](const Task&) -> std::optional<Change> {
        Change c;
        c.executions.push_back(e);
        return c;
      });
    }
  }
  f.execute_sql("DELETE FROM {t}task_executions WHERE id % 9 = 0");  // by hand: no API deletes them

  std::vector<std::int64_t> sinces;
  for (int days : {1, 7, 30})
    for (std::int64_t shift :
         {std::int64_t{0}, std::int64_t{-1}, std::int64_t{1}, 7 * 60 * kSec, kQuarter - 1})
      sinces.push_back(kNow - days * kDay + shift);
  for (int k = 0; k < 10; ++k)
    sinces.push_back(kNow - uniform(0, 33 * kDay));
  sinces.push_back(kNow + kDay);  // nothing in the window
  std::vector<std::optional<std::string>> who{users.begin(), users.end()};
  who.push_back("nobody");
  who.push_back(std::nullopt);  // all users (service stats)
  for (const auto& u : who)
    for (std::int64_t since : sinces) {
      INFO("user " << u.value_or("(all)") << ", since " << since);
      const auto user = u ? std::optional<std::string_view>(*u) : std::nullopt;
      const auto a = scan->execution_totals(user, at(since));
      const auto b = repo.execution_totals(user, at(since));
      same_totals(a, b, f.postgres());
      if (u) CHECK((a.total > 0 || *u == "nobody" || since > kNow));
    }
  // The analytics built from them, with zones at +5:45, -3:30 and UTC, at the `days` edges.
  for (const char* tz : {"Asia/Kathmandu", "America/St_Johns", "UTC"})
    for (int days : {1, 7, 30}) {
      INFO(tz << ", " << days << " days");
      const auto since = at(kNow - days * kDay);
      const auto a =
          compute_analytics("ann", days, {}, scan->execution_totals("ann", since), tz, at(kNow));
      const auto b =
          compute_analytics("ann", days, {}, repo.execution_totals("ann", since), tz, at(kNow));
      CHECK(b.busiest_hours == a.busiest_hours);
      CHECK(b.busiest_days == a.busiest_days);
      CHECK(b.total_executions == a.total_executions);
      CHECK(b.success_rate == a.success_rate);
      CHECK(b.average_execution_time == a.average_execution_time);
      CHECK(std::abs(b.total_credits_consumed - a.total_credits_consumed) <= 0.01);
    }
}

TEST_CASE("analytics rollup: migration 0005 back-fills a database of the previous release",
          "[rollup][migrations]") {
  Fixture f;
  if (!f.sql()) return;
  // The schema of the previous release (migrations 0001-0004): 0005 taken back by hand.
  if (f.postgres()) {
    f.execute_sql("DROP TABLE task.execution_rollup");
    for (const char* op : {"insert", "update", "delete"}) {
      f.execute_sql(std::string("DROP TRIGGER execution_rollup_") + op +
                    " ON task.task_executions");
      f.execute_sql(std::string("DROP FUNCTION task.execution_rollup_after_") + op + "()");
    }
  } else {
    for (const char* op : {"insert", "update", "delete"})
      f.execute_sql(std::string("DROP TRIGGER execution_rollup_") + op);
    f.execute_sql("DROP TABLE execution_rollup");
  }
  f.execute_sql("DELETE FROM {t}schema_migrations WHERE version = 5");
  // Data written by that release: tasks with executions (no rollup exists to maintain).
  task::store::StoreOptions old_release;
  old_release.migrate = false;
  old_release.analytics_rollup = false;
  auto old_repo = f.open_another(old_release);
  Task t = make_task("ann", 1);
  old_repo->insert_task(t, {});
  std::int64_t n = 0;
  old_repo->modify_task(t.task_id, [&](const Task& task) -> std::optional<Change> {
    Change c;
    for (int k = 0; k < 40; ++k) {
      Execution e = make_execution(task, ++n, kNow - k * 3000 * kSec);
      e.status = k % 3 == 0 ? ExecutionStatus::failed : ExecutionStatus::completed;
      e.duration_ms = k % 4 == 0 ? std::nullopt : std::optional<std::int64_t>(k * 10);
      e.credits_consumed = 0.25 * k;
      e.tokens_used = k;
      e.api_calls_made = 1;
      c.executions.push_back(e);
    }
    return c;
  });
  const auto before = old_repo->execution_totals("ann", at(kNow - kDay));
  REQUIRE(before.total == 29);  // started within the last day: k * 3000 s < 86400 s

  auto migrated = f.open_another();  // applies 0005: creates and back-fills the rollup
  const auto versions = task::store::applied_migrations(f.url());
  CHECK(std::find(versions.begin(), versions.end(), 5) != versions.end());
  CHECK(f.query_text("SELECT COUNT(*) FROM {t}execution_rollup") != "0");
  same_totals(before, migrated->execution_totals("ann", at(kNow - kDay)), f.postgres());
  // And from there on the triggers keep it: one more run.
  migrated->modify_task(t.task_id, [&](const Task& task) -> std::optional<Change> {
    Change c;
    Execution e = make_execution(task, ++n, kNow - 5 * kSec);
    e.status = ExecutionStatus::completed;
    e.duration_ms = 7;
    c.executions.push_back(e);
    return c;
  });
  task::store::StoreOptions scan_options;
  scan_options.analytics_rollup = false;
  const auto scan = f.open_another(scan_options)->execution_totals("ann", at(kNow - kDay));
  CHECK(scan.total == 30);
  same_totals(scan, migrated->execution_totals("ann", at(kNow - kDay)), f.postgres());
}

TEST_CASE("analytics rollup: migration 0013 puts the aggregates in the key of a rollup with data",
          "[rollup][migrations]") {
  Fixture f;
  if (!f.sql()) return;
  // The schema of the release before: 0013 taken back by hand.
  if (f.postgres())
    f.execute_sql(
        "ALTER TABLE task.execution_rollup DROP CONSTRAINT execution_rollup_pkey, ADD CONSTRAINT "
        "execution_rollup_pkey PRIMARY KEY (user_id, quarter_hour)");
  else
    f.execute_sql("DROP INDEX idx_execution_rollup_cover");
  f.execute_sql("DELETE FROM {t}schema_migrations WHERE version = 13");
  // Executions written by that release (its triggers keep the rollup).
  task::store::StoreOptions old_release;
  old_release.migrate = false;
  auto old_repo = f.open_another(old_release);
  Task t = make_task("ann", 1);
  old_repo->insert_task(t, {});
  std::int64_t n = 0;
  auto run = [&](task::TaskRepository& repo, int k) {
    repo.modify_task(t.task_id, [&](const Task& task) -> std::optional<Change> {
      Change c;
      Execution e = make_execution(task, ++n, kNow - k * 1700 * kSec);
      e.status = k % 3 == 0 ? ExecutionStatus::failed : ExecutionStatus::completed;
      e.duration_ms = k * 10;
      e.credits_consumed = 0.5 * k;
      e.tokens_used = k;
      e.api_calls_made = 2;
      c.executions.push_back(e);
      return c;
    });
  };
  for (int k = 0; k < 30; ++k)
    run(*old_repo, k);
  const auto before = old_repo->execution_totals("ann", at(kNow - kDay));

  auto migrated = f.open_another();  // applies 0013 over the rollup rows already there
  const auto versions = task::store::applied_migrations(f.url());
  CHECK(std::find(versions.begin(), versions.end(), 13) != versions.end());
  if (f.postgres())  // the key has 2 key columns and 8 included ones
    CHECK(f.query_text("SELECT indnatts || '/' || indnkeyatts FROM pg_index WHERE indexrelid = "
                       "'task.execution_rollup_pkey'::regclass") == "10/2");
  else
    CHECK(f.query_text("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = "
                       "'idx_execution_rollup_cover'") == "1");
  same_totals(before, migrated->execution_totals("ann", at(kNow - kDay)), f.postgres());
  // The triggers' upserts still find their row by (user_id, quarter_hour): runs into quarter
  // hours that have rows already, and into a new one.
  for (int k = 0; k < 3; ++k)
    run(*migrated, k);
  task::store::StoreOptions scan_options;
  scan_options.analytics_rollup = false;
  const auto scan = f.open_another(scan_options)->execution_totals("ann", at(kNow - kDay));
  CHECK(scan.total == before.total + 3);
  same_totals(scan, migrated->execution_totals("ann", at(kNow - kDay)), f.postgres());
}
