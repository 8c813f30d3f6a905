// Conformance suite: execution retention (RetentionStore) on memory, SQLite and PostgreSQL.
// Pruning deletes exactly the executions started before the cutoff (never a running one), in
// batches of at most the limit, and leaves analytics (totals, the dashboard's quarter hours,
// the analytics built from them in several zones) and the task rows exactly as they were.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <thread>

#include "backend.hpp"
#include "helpers.hpp"
#include "task/codec/json_codec.hpp"
#include "task/rules/analytics.hpp"

using namespace task;
using namespace task::test;

namespace {

constexpr std::int64_t kMinute = 60 * kSec;
constexpr std::int64_t kQuarter = 15 * kMinute;
constexpr std::int64_t kDay = 86400 * kSec;
// A quarter-hour edge (2026-11-30T12:00Z) as "now"; the cutoff is 90 days before it.
constexpr std::int64_t kNow = 1796040000LL * kSec;
constexpr std::int64_t kCutoff = kNow - 90 * kDay;

/// Everything analytics read, as JSON text, for a set of users and windows.
std::string analytics_snapshot(TaskRepository& r) {
  boost::json::array out;
  std::vector<std::int64_t> sinces{kCutoff - 200 * kDay, kCutoff - 40 * kDay, kCutoff,
                                   kCutoff + kQuarter,   kNow - kDay,         kNow + kDay};
  // Windows starting inside a quarter hour: 7 minutes past an edge (every pruned execution
  // below starts 0-6 minutes past one, so none lies between such a start and its quarter's end).
  for (std::int64_t s : {kCutoff - 30 * kDay, kCutoff - kQuarter, kCutoff + kDay})
    sinces.push_back(s + 7 * kMinute);
  const std::vector<std::optional<std::string>> users{"ann", "bo", "nobody", std::nullopt};
  for (const auto& u : users)
    for (std::int64_t since : sinces) {
      const auto user = u ? std::optional<std::string_view>(*u) : std::nullopt;
      const auto x = r.execution_totals(user, at(since));
      boost::json::array quarters;
      for (const auto& [q, n] : x.by_quarter_hour)
        quarters.push_back(boost::json::array{q, n});
      out.push_back(boost::json::object{{"user", u ? *u : "(all)"},
                                        {"since", since},
                                        {"total", x.total},
                                        {"successful", x.successful},
                                        {"failed", x.failed},
                                        {"avg", x.average_duration_ms},
                                        {"credits", x.credits},
                                        {"tokens", x.tokens},
                                        {"api_calls", x.api_calls},
                                        {"quarters", quarters}});
      if (!u) continue;
      boost::json::array series;
      for (const auto& q : r.execution_quarters(*u, at(since)))
        series.push_back(boost::json::array{q.quarter, q.total, q.successful, q.failed, q.credits});
      out.push_back(boost::json::object{{"series", *u}, {"since", since}, {"rows", series}});
    }
  // The analytics documents of the API (summary figures, busiest hours and days by zone), for
  // windows reaching back past the cutoff; "now" on a quarter edge and 7 minutes past one.
  for (const char* tz : {"UTC", "Asia/Kathmandu", "America/St_Johns"})
    for (int days : {1, 30, 100, 365})
      for (std::int64_t now : {kNow, kNow + 7 * kMinute}) {
        const auto since = at(now - days * kDay);
        auto a = compute_analytics("ann", days, r.count_tasks_by("ann"),
                                   r.execution_totals("ann", since), std::string(tz), at(now));
        out.push_back(boost::json::object{
            {"tz", tz}, {"days", days}, {"analytics", boost::json::value_from(a)}});
      }
  return boost::json::serialize(out);
}

std::string tasks_snapshot(TaskRepository& r, const std::vector<Task>& tasks) {
  boost::json::array out;
  for (const auto& t : tasks)
    out.push_back(boost::json::value_from(r.find_task(t.task_id).value()));
  return boost::json::serialize(out);
}

struct Seeded {
  std::vector<Task> tasks;
  std::vector<Execution> old_done;     ///< before the cutoff, finished: pruned
  std::vector<Execution> old_running;  ///< before the cutoff, running: kept
  std::vector<Execution> recent;       ///< at or after the cutoff: kept
};

/// Two users' tasks with counters, and executions on both sides of the cutoff. Credits are
/// multiples of 1/4, so every sum is exact in any order (the comparisons are exact).
Seeded seed(TaskRepository& r) {
  Seeded s;
  for (int i = 0; i < 4; ++i) {
    Task t = make_task(i % 2 ? "bo" : "ann", i + 1, kCutoff - 300 * kDay);
    t.run_count = 40 + i;
    t.success_count = 30 + i;
    t.failure_count = 10;
    t.total_credits_consumed = 12.5 + i;
    r.insert_task(t, {});
    s.tasks.push_back(t);
  }
  std::int64_t n = 0;
  const ExecutionStatus done[] = {ExecutionStatus::completed, ExecutionStatus::failed,
                                  ExecutionStatus::cancelled};
  for (const auto& t : s.tasks) {
    std::vector<Execution> es;
    for (int k = 0; k < 16; ++k) {  // 64 old finished ones over ~250 days before the cutoff
      ++n;
      const std::int64_t edge = kCutoff - (k * 16 + 1 + n % 3) * kDay - (n % 5) * kQuarter;
      Execution e = make_execution(t, n, edge + (n % 7) * kMinute);
      e.status = done[n % 3];
      e.duration_ms = n % 4 ? std::optional<std::int64_t>(n * 10) : std::nullopt;
      e.credits_consumed = 0.25 * static_cast<double>(n % 9);
      e.tokens_used = n % 3 ? std::optional<std::int64_t>(n) : std::nullopt;
      e.api_calls_made = n % 4;
      es.push_back(e);
      s.old_done.push_back(e);
    }
    {
      Execution e = make_execution(t, ++n, kCutoff - 5 * kDay);  // stuck: never pruned
      e.status = ExecutionStatus::running;
      es.push_back(e);
      s.old_running.push_back(e);
    }
    for (int k = 0; k < 6; ++k) {
      // From exactly the cutoff on (kept: "older than" is strict) to just before now.
      ++n;
      Execution e = make_execution(t, n, k == 0 ? kCutoff : kNow - k * 13 * kDay - n * kMinute);
      e.status = done[n % 2];
      e.duration_ms = n * 3;
      e.credits_consumed = 0.5 * static_cast<double>(n % 5);
      e.api_calls_made = 1;
      es.push_back(e);
      s.recent.push_back(e);
    }
    add_executions(r, t, es);
  }
  return s;
}

}  // namespace

TEST_CASE("retention: prunes exactly the finished executions before the cutoff, in batches",
          "[retention]") {
  Fixture f;
  auto& r = f.repo();
  const Seeded s = seed(r);
  REQUIRE(s.old_done.size() == 64);
  const std::string analytics_before = analytics_snapshot(r);
  const std::string tasks_before = tasks_snapshot(r, s.tasks);

  // Batches of at most 25: 25, 25, 14, then nothing is left.
  std::vector<std::int64_t> batches;
  for (int i = 0; i < 10; ++i) {
    const auto n = r.prune_executions(at(kCutoff), 25);
    batches.push_back(n);
    if (n < 25) break;
  }
  CHECK(batches == std::vector<std::int64_t>{25, 25, 14});
  CHECK(r.prune_executions(at(kCutoff), 25) == 0);

  for (const auto& e : s.old_done)
    CHECK_FALSE(r.find_execution(e.execution_id));
  for (const auto& e : s.old_running)
    CHECK(r.find_execution(e.execution_id));
  for (const auto& e : s.recent)
    CHECK(r.find_execution(e.execution_id));
  for (const auto& t : s.tasks)
    CHECK(r.list_executions(t.task_id, 100, 0).total == 7);  // 1 running + 6 recent

  // Analytics and the task rows are exactly what they were.
  CHECK(analytics_snapshot(r) == analytics_before);
  CHECK(tasks_snapshot(r, s.tasks) == tasks_before);
  // ... and they still count (a sanity check that the snapshot sees the pruned rows at all).
  CHECK(r.execution_totals("ann", at(kCutoff - 400 * kDay)).total == 32 + 2 + 12);
}

TEST_CASE("retention: limits are clamped; nothing old, nothing pruned", "[retention]") {
  Fixture f;
  auto& r = f.repo();
  CHECK(r.prune_executions(at(kNow), 1000) == 0);  // nothing stored
  const Seeded s = seed(r);
  CHECK(r.prune_executions(at(kCutoff - 1000 * kDay), 1000) == 0);  // nothing that old
  CHECK(r.prune_executions(at(kCutoff), 0) == 1);                   // at least one row a call
  CHECK(r.prune_executions(at(kCutoff), -5) == 1);
  CHECK(r.prune_executions(at(kCutoff), 1'000'000) == 62);  // at most kMaxPruneBatch: all left
}

TEST_CASE("retention: deleting a task, and other deletes, behave as before pruning existed",
          "[retention]") {
  Fixture f;
  auto& r = f.repo();
  const Seeded s = seed(r);
  REQUIRE(r.prune_executions(at(kCutoff), 1000) == 64);
  const auto since = at(kCutoff - 400 * kDay);
  const auto before = r.execution_totals("ann", since);
  const auto counts_before = r.count_tasks_by("ann");
  // A deleted task (soft delete, as TaskService does): its executions stay in analytics, the
  // task leaves the task counts.
  r.modify_task(s.tasks[0].task_id, [&](const Task& t) -> std::optional<Change> {
    Change c;
    c.task = t;
    c.task->deleted_at = at(kNow);
    return c;
  });
  const auto after = r.execution_totals("ann", since);
  CHECK(after.total == before.total);
  CHECK(after.credits == before.credits);
  CHECK(after.by_quarter_hour == before.by_quarter_hour);
  std::int64_t n_before = 0, n_after = 0;
  for (const auto& [st, n] : counts_before.by_status)
    n_before += n;
  for (const auto& [st, n] : r.count_tasks_by("ann").by_status)
    n_after += n;
  CHECK(n_after == n_before - 1);
  if (!f.sql()) return;
  // A delete by hand (not a prune) still takes its row out of the rollup, as 0005 does.
  const auto& gone = s.recent[1];
  REQUIRE(gone.user_id == "ann");
  f.execute_sql("DELETE FROM {t}task_executions WHERE execution_id = '" + gone.execution_id + "'");
  CHECK(r.execution_totals("ann", since).total == before.total - 1);
  CHECK(f.query_text("SELECT COUNT(*) FROM {t}task_executions WHERE started_at < " +
                     std::to_string(kCutoff) + " AND status <> 'running'") == "0");
}

TEST_CASE("retention: pruners on two connections at once delete each row once", "[retention]") {
  Fixture f;
  auto& r = f.repo();
  const Seeded s = seed(r);
  const std::string analytics_before = analytics_snapshot(r);
  auto other = f.open_another();
  std::atomic<std::int64_t> total{0};
  auto prune = [&](TaskRepository& repo) {
    for (int i = 0; i < 100; ++i) {  // bounded: 64 rows, at least one per non-empty batch
      const auto n = repo.prune_executions(at(kCutoff), 3);
      total += n;
      if (n == 0) break;
    }
  };
  std::thread a([&] { prune(r); });
  std::thread b([&] { prune(*other); });
  a.join();
  b.join();
  CHECK(total.load() == 64);
  CHECK(r.prune_executions(at(kCutoff), 1000) == 0);
  CHECK(analytics_snapshot(r) == analytics_before);
}
