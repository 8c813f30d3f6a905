// Conformance suite: the fair claim (docs/scheduler.md "Fair turns and per-user concurrency") —
// users take turns within a priority, and a user's runs in flight, counted from the task rows
// (status running, lease unexpired), never exceed the limit of their level, also with several
// connections claiming at once. Runs against every backend (see backend.cpp).
#include <catch2/catch.hpp>
#include <map>
#include <thread>

#include "backend.hpp"
#include "connections.hpp"
#include "helpers.hpp"
#include "task/rules/fair_turns.hpp"

using namespace task;
using namespace task::test;

namespace {

/// Starts every locked task: status running, leased to `owner` for a minute from `now`.
std::function<std::optional<Change>(const Task&)> start_at(Timestamp now, std::string owner) {
  return [now, owner](const Task& cur) {
    Change c;
    c.task = cur;
    c.task->status = TaskStatus::running;
    c.task->lease_owner = owner;
    c.task->lease_expires_at = now + std::chrono::minutes(1);
    return std::optional<Change>(c);
  };
}

ClaimFairness limits(int free, int basic, int pro, int enterprise) {
  ClaimFairness f;
  f.limit = {free, basic, pro, enterprise};
  f.default_level = SubscriptionLevel::free;
  return f;
}

/// Running tasks per user whose lease is unexpired at `now`.
std::map<std::string, int> in_flight(TaskRepository& r, const std::vector<std::string>& users,
                                     Timestamp now) {
  std::map<std::string, int> out;
  for (const auto& u : users) {
    TaskQuery q;
    q.user_id = u;
    q.limit = 1000;
    for (const auto& t : r.list_tasks(q).tasks)
      if (t.status == TaskStatus::running && t.lease_expires_at && *t.lease_expires_at > now)
        ++out[u];
  }
  return out;
}

}  // namespace

TEST_CASE(
    "fair claim: ten users' single tasks are claimed in the first round beside one "
    "user's 1,000",
    "[scheduler][fair]") {
  Fixture f;
  auto& r = f.repo();
  // User a's 1,000 slots are all older than the ten small users' slots, so the first release's
  // order (slot first) would claim a's tasks for eight rounds of 128 before any of theirs.
  for (int i = 0; i < 1000; ++i)
    r.insert_task(make_scheduled("a", i + 1, i), {});
  for (int u = 0; u < 10; ++u)
    r.insert_task(make_scheduled("small" + std::to_string(u), 5000 + u, 2000 + u), {});
  const auto now = at(10 * kSec);
  const ClaimFairness no_limit = limits(0, 0, 0, 0);

  // The order the store computes equals the pure fair_turn_order over the same due rows.
  const auto due = r.list_due_tasks(now, 2000);
  REQUIRE(due.size() == 1010);
  std::vector<const Task*> all;
  for (const auto& t : due)
    all.push_back(&t);
  const auto want = fair_turn_order(all, 128, [](std::string_view) { return std::nullopt; });

  const auto got = r.modify_due_tasks(now, 128, no_limit, start_at(now, "replica-1"));
  REQUIRE(got.size() == 128);
  REQUIRE(want.size() == 128);
  for (std::size_t i = 0; i < got.size(); ++i)
    CHECK(got[i].first.task_id == want[i]->task_id);
  // Turn 1 of every user first (a's oldest slot, then the ten by slot), then a's next turns.
  CHECK(got[0].first.task_id == make_id("tsk_", 1));
  for (int u = 0; u < 10; ++u)
    CHECK(got[static_cast<std::size_t>(1 + u)].first.user_id == "small" + std::to_string(u));
  for (std::size_t i = 11; i < got.size(); ++i)
    CHECK(got[i].first.user_id == "a");
  for (const auto& [task, change] : got)
    CHECK((change && change->task->status == TaskStatus::running));

  SECTION("without fairness the same backlog starves the ten for the whole round") {
    // (A fresh look at the first-release order over what is left: a's slots only.)
    const auto rest =
        r.modify_due_tasks(now, 128, [](const Task&) { return std::optional<Change>{}; });
    for (const auto& [task, change] : rest)
      CHECK(task.user_id == "a");
  }
}

TEST_CASE("fair claim: turns are taken within a priority, higher priorities first",
          "[scheduler][fair]") {
  Fixture f;
  auto& r = f.repo();
  r.insert_task(make_scheduled("a", 1, 1, Priority::low), {});
  r.insert_task(make_scheduled("a", 2, 2, Priority::high), {});
  r.insert_task(make_scheduled("a", 3, 3, Priority::high), {});
  r.insert_task(make_scheduled("b", 4, 4, Priority::high), {});
  r.insert_task(make_scheduled("b", 5, 5, Priority::low), {});
  r.insert_task(make_scheduled("c", 6, 0, Priority::low), {});
  const auto now = at(kSec);
  const auto got = r.modify_due_tasks(now, 10, limits(0, 0, 0, 0),
                                      [](const Task&) { return std::optional<Change>{}; });
  std::vector<std::string> ids;
  for (const auto& [task, change] : got)
    ids.push_back(task.task_id);
  // high: a#1 (2), b#1 (4), a#2 (3); low: c#1 (6), a#1 (1), b#1 (5) by slot.
  CHECK(ids == std::vector<std::string>{make_id("tsk_", 2), make_id("tsk_", 4), make_id("tsk_", 3),
                                        make_id("tsk_", 6), make_id("tsk_", 1),
                                        make_id("tsk_", 5)});
}

TEST_CASE("fair claim: a user's runs in flight never exceed the limit of their level",
          "[scheduler][fair][limit]") {
  Fixture f;
  auto& r = f.repo();
  const auto now = at(100 * kSec);
  const auto later = now + std::chrono::minutes(1);
  r.set_user_level("pro", SubscriptionLevel::pro, at(0));      // limit 4
  r.set_user_level("basic", SubscriptionLevel::basic, at(0));  // limit 2
  // "free" has no stored level: the default level (free, limit 1) applies.
  std::int64_t n = 0;
  for (const char* u : {"pro", "basic", "free", "enterprise-less"})
    for (int i = 0; i < 6; ++i)
      r.insert_task(make_scheduled(u, ++n, i), {});
  // Already in flight: two runs of "pro" (lease live), one of "basic" (lease live), one of
  // "free" whose lease expired (its worker died: not counted).
  auto running = [&](const std::string& u, Timestamp lease) {
    Task t = make_scheduled(u, ++n, 0);
    t.status = TaskStatus::running;
    t.lease_owner = "gone";
    t.lease_expires_at = lease;
    r.insert_task(t, {});
  };
  running("pro", later);
  running("pro", later);
  running("basic", later);
  running("free", now - std::chrono::seconds(1));

  ClaimFairness fair = limits(1, 2, 4, 16);
  const auto got = r.modify_due_tasks(now, 100, fair, start_at(now, "replica-1"));
  std::map<std::string, int> taken;
  for (const auto& [task, change] : got)
    ++taken[task.user_id];
  CHECK(taken["pro"] == 2);              // 4 − 2 in flight
  CHECK(taken["basic"] == 1);            // 2 − 1
  CHECK(taken["free"] == 1);             // the expired lease is not a run in flight
  CHECK(taken["enterprise-less"] == 1);  // no stored level: the default (free)
  // Everyone is at the limit now: a second round claims nothing.
  CHECK(r.modify_due_tasks(now, 100, fair, start_at(now, "replica-2")).empty());

  SECTION("a finished run makes room for exactly one more") {
    const auto pro_run = std::find_if(got.begin(), got.end(),
                                      [](const auto& g) { return g.first.user_id == "pro"; });
    r.modify_task(pro_run->first.task_id, [](const Task& cur) {
      Change c;
      c.task = cur;
      c.task->status = TaskStatus::scheduled;
      c.task->next_run_time = at(500 * kSec);
      c.task->lease_owner.reset();
      c.task->lease_expires_at.reset();
      return std::optional<Change>(c);
    });
    const auto more = r.modify_due_tasks(now, 100, fair, start_at(now, "replica-2"));
    REQUIRE(more.size() == 1);
    CHECK(more[0].first.user_id == "pro");
  }
  SECTION("a level change applies from the next claim") {
    r.set_user_level("basic", SubscriptionLevel::enterprise, at(kSec));  // limit 16
    const auto more = r.modify_due_tasks(now, 100, fair, start_at(now, "replica-2"));
    CHECK(more.size() == 5);  // basic: 5 left due, 16 − 2 in flight
  }
  SECTION("one number for every level; 0 = no limit") {
    // pro: 4 in flight ≥ 3, none; basic 3 − 2 = 1; free 3 − 1 = 2; enterprise-less 3 − 1 = 2.
    CHECK(r.modify_due_tasks(now, 100, parse_user_concurrency("3"), start_at(now, "r")).size() ==
          5);
    CHECK(r.modify_due_tasks(now, 100, parse_user_concurrency("0"), start_at(now, "r")).size() ==
          24 - 5 - 5);
  }
}

TEST_CASE("fair claim: connections claiming at once never exceed a user's limit",
          "[scheduler][fair][limit][concurrency]") {
  Fixture f;
  const auto now = at(1000 * kSec);
  std::vector<std::string> users;
  std::int64_t n = 0;
  for (int u = 0; u < 12; ++u) {
    users.push_back("u" + std::to_string(u));
    for (int i = 0; i < 10; ++i) {
      ++n;
      f.repo().insert_task(make_scheduled(users.back(), n, (n * 7) % 100), {});
    }
  }
  const ClaimFairness fair = parse_user_concurrency("3");
  CHECK(on_connections(f, 4, [&](TaskRepository& repo, int i) {
          for (int round = 0; round < 50; ++round)
            if (repo.modify_due_tasks(now, 5, fair, start_at(now, "replica-" + std::to_string(i)))
                    .empty() &&
                round > 5)
              break;
        }) == 0);
  // Whatever a thread left when it stopped (a round may come back empty while others hold the
  // users' claim locks) is claimed here; the limit must still hold.
  f.repo().modify_due_tasks(now, 1000, fair, start_at(now, "replica-main"));
  const auto busy = in_flight(f.repo(), users, now);
  for (const auto& u : users)
    CHECK(busy.count(u) == 1);
  for (const auto& [u, k] : busy)
    CHECK(k == 3);
}

TEST_CASE(
    "fair claim: with a backlog (each user's first rows per priority only) the order equals "
    "fair_turn_order, round after round",
    "[scheduler][fair][backlog]") {
  // 300 rows of "a" over all four priorities (more than the batch of each, so the claim reads
  // only its first rows per priority) beside five users with a few rows each: far more due rows
  // than four batches, the claim's backlog shape (docs/scheduler.md). Every round's order must be
  // the pure order over all due rows, with each user's room = limit − runs in flight.
  Fixture f;
  auto& r = f.repo();
  const auto now = at(5000 * kSec);
  r.set_user_level("a", SubscriptionLevel::enterprise, at(0));  // 16
  r.set_user_level("p", SubscriptionLevel::pro, at(0));         // 4
  const Priority prios[] = {Priority::low, Priority::medium, Priority::high, Priority::urgent};
  std::uint32_t seed = 17;
  auto next = [&] { return seed = seed * 1103515245u + 12345u, (seed >> 8) % 1000u; };
  std::int64_t n = 0;
  for (int i = 0; i < 300; ++i)
    r.insert_task(make_scheduled("a", ++n, next(), prios[next() % 4]), {});
  for (const char* u : {"b", "c", "d", "e", "p"})
    for (int i = 0, k = 1 + static_cast<int>(next() % 12); i < k; ++i)
      r.insert_task(make_scheduled(u, ++n, next(), prios[next() % 4]), {});
  // A future row of "b" is never claimed.
  r.insert_task(make_scheduled("b", ++n, 6000 * kSec, Priority::urgent), {});

  for (const char* setting : {"0", "free=1,basic=2,pro=4,enterprise=16"}) {
    CAPTURE(setting);
    ClaimFairness fair = parse_user_concurrency(setting);
    fair.default_level = SubscriptionLevel::basic;
    std::map<std::string, int> running;
    for (int round = 0; round < 6; ++round) {
      CAPTURE(round);
      const auto due = r.list_due_tasks(now, 5000);
      std::vector<const Task*> all;
      for (const auto& t : due)
        all.push_back(&t);
      const auto want = fair_turn_order(all, 16, [&](std::string_view u) -> std::optional<int> {
        const auto level = u == "a"   ? SubscriptionLevel::enterprise
                           : u == "p" ? SubscriptionLevel::pro
                                      : SubscriptionLevel::basic;
        const auto lim = fair.limit_of(level);
        if (!lim) return std::nullopt;
        return *lim - running[std::string(u)];
      });
      const auto got = r.modify_due_tasks(now, 16, fair, start_at(now, "replica-1"));
      REQUIRE(got.size() == want.size());
      for (std::size_t i = 0; i < got.size(); ++i)
        CHECK(got[i].first.task_id == want[i]->task_id);
      for (const auto& [task, change] : got)
        ++running[task.user_id];
    }
    CHECK(running["a"] >= 16);  // "a" had turns in several rounds
    // Put the runs back for the second setting: scheduled and due again.
    for (const char* u : {"a", "b", "c", "d", "e", "p"}) {
      TaskQuery q;
      q.user_id = u;
      q.limit = 1000;
      for (const auto& t : r.list_tasks(q).tasks)
        if (t.status == TaskStatus::running)
          r.modify_task(t.task_id, [](const Task& cur) {
            Change c;
            c.task = cur;
            c.task->status = TaskStatus::scheduled;
            c.task->lease_owner.reset();
            c.task->lease_expires_at.reset();
            return std::optional<Change>(c);
          });
    }
  }
}

TEST_CASE("fair claim: migration 0011 adds its index to a database with a backlog in it",
          "[scheduler][fair][migrations]") {
  Fixture f;
  if (!f.sql()) return;
  // The schema of the release before: 0011 taken back by hand, then a backlog written by it.
  f.execute_sql(f.postgres() ? "DROP INDEX task.idx_tasks_due_user"
                             : "DROP INDEX idx_tasks_due_user");
  f.execute_sql("DELETE FROM {t}schema_migrations WHERE version = 11");
  task::store::StoreOptions old_release;
  old_release.migrate = false;
  auto old_repo = f.open_another(old_release);
  std::int64_t n = 0;
  for (int i = 0; i < 200; ++i)
    old_repo->insert_task(make_scheduled("a", ++n, i), {});
  old_repo->insert_task(make_scheduled("b", ++n, 500), {});

  auto migrated = f.open_another();  // applies 0011 over the rows already there
  const auto versions = task::store::applied_migrations(f.url());
  CHECK(std::find(versions.begin(), versions.end(), 11) != versions.end());
  CHECK(f.query_text(f.postgres() ? "SELECT COUNT(*) FROM pg_indexes WHERE indexname = "
                                    "'idx_tasks_due_user'"
                                  : "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND "
                                    "name = 'idx_tasks_due_user'") == "1");
  // The backlog's claim (more than four batches due): b's one task in the first round.
  const auto got = migrated->modify_due_tasks(at(kSec), 8, parse_user_concurrency("0"),
                                              start_at(at(kSec), "replica-1"));
  REQUIRE(got.size() == 8);
  CHECK(got[0].first.user_id == "a");
  CHECK(got[1].first.user_id == "b");
}
