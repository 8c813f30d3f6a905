// Execution retention: TASK_EXECUTION_RETENTION_DAYS and the pruner (task/runtime/
// execution_pruner.hpp) over the in-memory store with a manual clock.
#include <catch2/catch.hpp>
#include <thread>

#include "task/memory/memory_repository.hpp"
#include "task/runtime/config.hpp"
#include "task/runtime/execution_pruner.hpp"

using namespace task;
using namespace task::runtime;
using task::memory::MemoryRepository;

namespace {

auto env_of(std::map<std::string, std::string> m) {
  return [m](const std::string& k) -> std::optional<std::string> {
    auto it = m.find(k);
    return it == m.end() ? std::nullopt : std::optional(it->second);
  };
}

std::string refusal(const std::map<std::string, std::string>& flags,
                    const std::map<std::string, std::string>& env) {
  try {
    resolve_config(flags, env_of(env));
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(accepted)";
}

constexpr std::int64_t kSec = 1'000'000;
constexpr std::int64_t kDay = 86400 * kSec;
// 2026-11-30T12:07:00Z: seven minutes past a quarter-hour edge.
constexpr std::int64_t kNow = 1796040000LL * kSec + 7 * 60 * kSec;

/// `n` finished executions of one task of `user`, started `age_us` before kNow, one second apart.
void add_old(MemoryRepository& repo, const std::string& task_id, const std::string& user,
             std::int64_t age_us, int n, int& seq) {
  Task t;
  t.task_id = task_id;
  t.user_id = user;
  t.name = task_id;
  repo.insert_task(t, {});
  repo.modify_task(task_id, [&](const Task&) -> std::optional<Change> {
    Change c;
    for (int i = 0; i < n; ++i) {
      Execution e;
      e.execution_id = "exe_" + std::to_string(++seq);
      e.task_id = task_id;
      e.user_id = user;
      e.status = ExecutionStatus::completed;
      e.started_at = from_unix_micros(kNow - age_us - i * kSec);
      e.created_at = e.started_at;
      c.executions.push_back(e);
    }
    return c;
  });
}

}  // namespace

TEST_CASE("configuration: TASK_EXECUTION_RETENTION_DAYS, default 90, 0 = forever", "[config]") {
  CHECK(resolve_config({}, env_of({})).execution_retention_days == 90);
  CHECK(resolve_config({}, env_of({{"TASK_EXECUTION_RETENTION_DAYS", "0"}}))
            .execution_retention_days == 0);
  CHECK(resolve_config({}, env_of({{"TASK_EXECUTION_RETENTION_DAYS", "400"}}))
            .execution_retention_days == 400);
  CHECK(resolve_config({{"execution-retention-days", "7"}},
                       env_of({{"TASK_EXECUTION_RETENTION_DAYS", "400"}}))
            .execution_retention_days == 7);  // the flag wins
  CHECK(resolve_config({}, env_of({})).describe().find("execution-retention-days=90") !=
        std::string::npos);
  for (const char* bad : {"-1", "abc", "", "9.5", "36501", "30d"}) {
    INFO("'" << bad << "'");
    CHECK(refusal({}, {{"TASK_EXECUTION_RETENTION_DAYS", bad}}) ==
          std::string("--execution-retention-days: '") + bad +
              "' is not a whole number from 0 to 36500");
  }
}

TEST_CASE("pruner: cutoff is now minus the retention, down to its quarter hour", "[retention]") {
  auto repo = std::make_shared<MemoryRepository>();
  auto clock = std::make_shared<ManualClock>(from_unix_micros(kNow));
  ExecutionPruner pruner(repo, clock, {std::chrono::hours(24 * 90)});
  CHECK(to_unix_micros(pruner.cutoff(from_unix_micros(kNow))) == kNow - 90 * kDay - 7 * 60 * kSec);
  CHECK(to_unix_micros(pruner.cutoff(from_unix_micros(kNow - 7 * 60 * kSec))) ==
        kNow - 90 * kDay - 7 * 60 * kSec);  // already on an edge: itself
}

TEST_CASE("pruner: one tick deletes every old execution in batches, counts them", "[retention]") {
  auto repo = std::make_shared<MemoryRepository>();
  auto clock = std::make_shared<ManualClock>(from_unix_micros(kNow));
  int seq = 0;
  add_old(*repo, "tsk_old", "ann", 3 * kDay, 35, seq);  // pruned
  add_old(*repo, "tsk_new", "ann", kDay / 2, 5, seq);   // kept (within the retention)
  const auto since = from_unix_micros(kNow - 10 * kDay);
  const auto before = repo->execution_totals("ann", since);
  REQUIRE(before.total == 40);

  PrunerOptions o;
  o.retention = std::chrono::hours(48);
  o.batch = 10;
  o.pause = Micros{0};
  ExecutionPruner pruner(repo, clock, o);
  CHECK(pruner.prune_now() == 35);  // 10 + 10 + 10 + 5: stops at the first short batch
  CHECK(pruner.pruned_total() == 35);
  CHECK(repo->list_executions("tsk_old", 100, 0).total == 0);
  CHECK(repo->list_executions("tsk_new", 100, 0).total == 5);
  CHECK(pruner.prune_now() == 0);
  CHECK(pruner.pruned_total() == 35);
  const auto after = repo->execution_totals("ann", since);
  CHECK(after.total == before.total);
  CHECK(after.by_quarter_hour == before.by_quarter_hour);

  // Retention 0 keeps everything: neither a tick nor a thread deletes anything.
  add_old(*repo, "tsk_older", "bo", 400 * kDay, 3, seq);
  PrunerOptions off = o;
  off.retention = Micros{0};
  ExecutionPruner keep(repo, clock, off);
  CHECK(keep.prune_now() == 0);
  keep.start();
  CHECK_FALSE(keep.running());
  CHECK(repo->list_executions("tsk_older", 100, 0).total == 3);
}

TEST_CASE("pruner: the thread ticks at start and stops promptly", "[retention]") {
  auto repo = std::make_shared<MemoryRepository>();
  auto clock = std::make_shared<ManualClock>(from_unix_micros(kNow));
  int seq = 0;
  add_old(*repo, "tsk_old", "ann", 3 * kDay, 12, seq);
  PrunerOptions o;
  o.retention = std::chrono::hours(24);
  o.batch = 5;
  o.pause = std::chrono::milliseconds(1);
  o.interval = std::chrono::hours(1);  // only the first tick runs during the test
  ExecutionPruner pruner(repo, clock, o);
  pruner.start();
  for (int i = 0; i < 400 && pruner.pruned_total() < 12; ++i)  // bounded: 2 s at most
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const auto t0 = std::chrono::steady_clock::now();
  pruner.stop();  // wakes the hour-long wait at once
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(1));
  CHECK(pruner.pruned_total() == 12);
  CHECK_FALSE(pruner.running());
  CHECK(repo->list_executions("tsk_old", 100, 0).total == 0);
}
