// Conformance suite, part 3: concurrency (all backends) and what only SQL backends have
// (migrations, URLs).
#include <atomic>
#include <catch2/catch.hpp>
#include <functional>
#include <set>
#include <thread>

#include "backend.hpp"
#include "connections.hpp"
#include "helpers.hpp"
#include "task/core/errors.hpp"

using namespace task;
using namespace task::test;

namespace {

/// Inserts n due tasks, then four connections call `round` until it takes nothing more; `round`
/// returns the task ids it took and counts anything wrong in `errors`. Every task must be taken
/// exactly once, without errors.
void check_taken_once(
    Fixture& f, int n,
    const std::function<std::vector<std::string>(TaskRepository&, int, std::atomic<int>&)>& round) {
  constexpr int kThreads = 4;
  for (int i = 0; i < n; ++i)
    f.repo().insert_task(make_scheduled("u" + std::to_string(i % 7), i, i), {});
  std::vector<std::vector<std::string>> got(kThreads);
  std::atomic<int> errors{0};
  errors += on_connections(f, kThreads, [&](TaskRepository& repo, int i) {
    for (auto ids = round(repo, i, errors); !ids.empty(); ids = round(repo, i, errors))
      got[i].insert(got[i].end(), ids.begin(), ids.end());
  });
  CHECK(errors == 0);
  std::multiset<std::string> all;
  for (const auto& g : got)
    all.insert(g.begin(), g.end());
  CHECK(all.size() == static_cast<std::size_t>(n));
  CHECK(std::set<std::string>(all.begin(), all.end()).size() == static_cast<std::size_t>(n));
}

}  // namespace

TEST_CASE("concurrent modify_due_tasks: every due task is started exactly once",
          "[scheduler][concurrency]") {
  Fixture f;
  const int n = f.postgres() ? 800 : 200;
  check_taken_once(f, n, [&](TaskRepository& repo, int, std::atomic<int>& errors) {
    // Starting a slot takes the task out of the due set, as the scheduler's start does.
    std::vector<std::string> ids;
    for (const auto& [task, change] : repo.modify_due_tasks(at(n + 1), 16, [](const Task& cur) {
           Change c;
           c.task = cur;
           c.task->status = TaskStatus::running;
           return std::optional<Change>(c);
         })) {
      if (!change) ++errors;
      ids.push_back(task.task_id);
    }
    return ids;
  });
}

TEST_CASE("insert_task_within: the task quota holds under concurrent creates",
          "[tasks][quota][concurrency]") {
  Fixture f;
  auto& r = f.repo();
  SECTION("the quota counts non-deleted tasks of that user only") {
    r.insert_task(make_task("other", 1), {});
    r.insert_task_within(make_task("u", 2), {make_event(make_task("u", 2), "task.created", 2)}, 2);
    Task deleted = make_task("u", 3);
    deleted.deleted_at = at(5 * kSec);
    r.insert_task(deleted, {});
    r.insert_task_within(make_task("u", 4), {}, 2);
    try {
      r.insert_task_within(make_task("u", 5), {make_event(make_task("u", 5), "task.created", 5)},
                           2);
      FAIL("the third task was inserted");
    } catch (const LimitExceeded& e) {
      CHECK(e.limit_type == "tasks");
      CHECK(e.limit == 2);
    }
    CHECK_FALSE(r.find_task(make_task("u", 5).task_id));
    CHECK(r.fetch_outbox(10).size() == 1);  // only the first insert's event
    CHECK(count_user_tasks(r, "u") == 2);
  }
  SECTION("eight writers racing for a quota of five: exactly five tasks") {
    constexpr int kThreads = 8, kQuota = 5;
    std::atomic<int> inserted{0}, refused{0};
    const int errors = on_connections(f, kThreads, [&](TaskRepository& repo, int i) {
      for (int k = 0; k < 3; ++k) {
        try {
          repo.insert_task_within(make_task("racer", 100 + i * 10 + k), {}, kQuota);
          ++inserted;
        } catch (const LimitExceeded&) {
          ++refused;
        }
      }
    });
    CHECK(errors == 0);
    CHECK(inserted == kQuota);
    CHECK(refused == kThreads * 3 - kQuota);
    CHECK(count_user_tasks(r, "racer") == kQuota);
  }
}

TEST_CASE("migrations are recorded and applying them again is a no-op", "[migrations]") {
  Fixture f;
  if (!f.sql()) return;  // task::memory has no schema
  const auto applied = task::store::applied_migrations(f.url());
  REQUIRE_FALSE(applied.empty());
  CHECK(applied.front() == 1);
  Task t = make_task("u", 1);
  f.repo().insert_task(t, {});
  auto second = f.open_another();  // runs the migrations step again
  CHECK(task::store::applied_migrations(f.url()) == applied);
  CHECK(second->find_task(t.task_id));

  // Several "processes" starting at once: all succeed, the schema is migrated once.
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&] {
      try {
        f.open_another()->ping();
      } catch (...) {
        ++failures;
      }
    });
  for (auto& th : threads)
    th.join();
  CHECK(failures == 0);
  CHECK(task::store::applied_migrations(f.url()) == applied);
}

TEST_CASE("a fresh database starts migrated and empty", "[migrations]") {
  Fixture f;
  if (!f.sql()) return;
  CHECK(count_user_tasks(f.repo(), "u") == 0);
  CHECK(f.repo().fetch_outbox(10).empty());
}

TEST_CASE("postgresql URLs become libpq conninfo", "[url]") {
  using task::store::pg_conninfo_from_url;
  CHECK(pg_conninfo_from_url("postgresql://app@127.0.0.1:55433/taskdb") ==
        "host='127.0.0.1' port='55433' dbname='taskdb' user='app' connect_timeout='3' "
        "options='-c TimeZone=UTC -c client_min_messages=warning' application_name='task-service'");
  CHECK(pg_conninfo_from_url("postgres://u:p%40ss'x@db.example/my%20db?sslmode=require", 5) ==
        "host='db.example' dbname='my db' user='u' password='p@ss\\'x' sslmode='require' "
        "connect_timeout='5' options='-c TimeZone=UTC -c client_min_messages=warning' "
        "application_name='task-service'");
  CHECK(pg_conninfo_from_url("postgresql://[::1]:5432/d?connect_timeout=1")
            .find("host='::1' port='5432' dbname='d' connect_timeout='1' options=") == 0);
  CHECK_THROWS_AS(task::store::open_repository("memory:"), std::invalid_argument);
  CHECK_THROWS_AS(task::store::open_repository("mysql://x/y"), std::invalid_argument);
}

TEST_CASE("an unreachable PostgreSQL is Unavailable at open, quickly", "[url]") {
  // Port 1 on loopback: connection refused immediately.
  const auto start = std::chrono::steady_clock::now();
  CHECK_THROWS_AS(task::store::open_repository("postgresql://app@127.0.0.1:1/none"), Unavailable);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
}
