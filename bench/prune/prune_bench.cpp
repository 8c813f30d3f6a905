// prune_bench — execution retention benchmark for docs/performance.md (PostgreSQL).
//   prune_bench URL [ROWS] [TASKS_PER_S] [BATCH]
//       Seeds ROWS (default 1,000,000) executions 100-200 days old with one set-based INSERT
//       (generate_series), then runs one scheduler replica over once-tasks due at TASKS_PER_S
//       (default 50) distinct instants a second, twice in one run: 20 s without pruning
//       (baseline), then while the runtime's ExecutionPruner (retention 90 days, BATCH rows per
//       transaction, default 1000, 20 ms between batches) deletes all ROWS. Prints rows/s pruned
//       and p50/p99/max lateness (execution started_at − scheduled_for) of both phases, and
//       checks that the analytics of the seeded user are the same before and after.
// URL is a postgresql:// URL; the benchmark migrates it and TRUNCATEs the task tables.
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "bench_tasks.hpp"
#include "task/clients/notify_executor.hpp"
#include "task/runtime/execution_pruner.hpp"
#include "task/runtime/scheduler_loop.hpp"
#include "task/schedule/schedule.hpp"
#include "task/service/scheduler.hpp"
#include "task/store/store.hpp"

namespace {

using task_bench::due_task;

using Steady = std::chrono::steady_clock;

task::Timestamp wall_now() {
  return std::chrono::time_point_cast<task::Micros>(std::chrono::system_clock::now());
}

struct Lateness {
  std::size_t runs = 0;
  double p50 = 0, p99 = 0, max = 0;
};

/// Lateness of the scheduled executions whose slot lies in [from, to).
Lateness lateness(soci::session& s, task::Timestamp from, task::Timestamp to) {
  std::vector<long long> late;
  const long long a = task::to_unix_micros(from), b = task::to_unix_micros(to);
  soci::rowset<long long> rows =
      (s.prepare << "SELECT started_at - scheduled_for FROM task.task_executions WHERE "
                    "trigger_type = 'scheduled' AND scheduled_for >= :a AND scheduled_for < :b",
       soci::use(a), soci::use(b));
  for (auto v : rows)
    late.push_back(v);
  Lateness out;
  if (late.empty()) return out;
  std::sort(late.begin(), late.end());
  auto pct = [&](double p) {
    return static_cast<double>(
               late[std::min(late.size() - 1, static_cast<std::size_t>(p * late.size()))]) /
           1000.0;
  };
  out.runs = late.size();
  out.p50 = pct(0.50);
  out.p99 = pct(0.99);
  out.max = static_cast<double>(late.back()) / 1000.0;
  return out;
}

/// Inserts `count` once-tasks due from `first` on, `step` apart.
void add_due(task::TaskStore& repo, std::int64_t from_n, int count, task::Timestamp first,
             task::Micros step) {
  const auto now = wall_now();
  for (int i = 0; i < count; ++i)
    repo.insert_task(due_task(from_n + i, first + step * i, now, "live-user-"), {});
}

int bench(const std::string& url, long long rows, int per_second, int batch) {
  task::store::StoreOptions options;
  options.pool_size = 10;
  auto repo = task::store::open_repository(url, options);
  soci::session s(soci::postgresql, task::store::pg_conninfo_from_url(url));
  s << "TRUNCATE task.user_tasks, task.task_executions, task.event_outbox, "
       "task.execution_rollup";

  // 1. ROWS old executions of 100 users, 100-200 days old, in one statement.
  const auto now = wall_now();
  const long long old_from = task::to_unix_micros(now - std::chrono::hours(24 * 200));
  const long long span = 100LL * 86400 * 1000000;  // over 100 days
  auto t0 = Steady::now();
  const long long row_step = span / std::max(rows, 1LL);
  s << "INSERT INTO task.task_executions (execution_id, task_id, user_id, status, trigger_type, "
       "credits_consumed, tokens_used, api_calls_made, duration_ms, started_at, completed_at, "
       "created_at) SELECT 'exe_' || lpad(to_hex(g), 24, '0'), 'tsk_old_' || (g % 1000), "
       "'bench-user-' || (g % 100), CASE WHEN g % 10 = 0 THEN 'failed' ELSE 'completed' END, "
       "'manual', (g % 8) * 0.25, g % 500, g % 3, g % 1000, t, t + 1000, t FROM (SELECT g, "
       "CAST(:from AS BIGINT) + g * CAST(:step AS BIGINT) AS t FROM generate_series(1, CAST(:n AS "
       "BIGINT)) g) x",
      soci::use(old_from, "from"), soci::use(row_step, "step"), soci::use(rows, "n");
  s << "ANALYZE task.task_executions";
  std::printf("seeded %lld executions in %.1f s\n", rows,
              std::chrono::duration<double>(Steady::now() - t0).count());
  const auto since = now - std::chrono::hours(24 * 365);
  const auto before = repo->execution_totals("bench-user-7", since);

  task::SchedulerOptions so;
  so.replica_id = "bench";
  so.reminders = false;
  task::runtime::WorkerPool pool(8, 8 * 16);
  task::runtime::SchedulerLoopOptions loop_options;
  loop_options.workers = 8;
  std::shared_ptr<task::SchedulerStore> sched_store = repo;
  auto executors = std::make_shared<task::ExecutorRegistry>();
  (*executors)[task::TaskType::todo] = std::make_shared<task::clients::NotifyExecutor>(nullptr);
  task::runtime::SchedulerLoop loop(
      {sched_store, std::make_shared<task::SystemClock>(),
       std::make_shared<task::RandomIdGenerator>(), executors, nullptr, nullptr},
      so, pool, loop_options);
  loop.start();
  const auto step =
      std::chrono::duration_cast<task::Micros>(std::chrono::duration<double>(1.0 / per_second));

  // 2. Baseline: 20 s of slots, no pruning.
  const int base_count = 20 * per_second;
  const auto base_first = wall_now() + std::chrono::seconds(3);
  add_due(*repo, 0, base_count, base_first, step);
  const auto base_end = base_first + step * base_count;
  while (wall_now() < base_end + std::chrono::seconds(2))
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto base = lateness(s, base_first, base_end);

  // 3. The same load while the pruner deletes every seeded row: slots for up to 10 minutes,
  //    added ahead in 20 s chunks; lateness counted for the slots during the prune.
  task::runtime::PrunerOptions po;
  po.retention = std::chrono::hours(24 * 90);
  po.batch = batch;
  po.interval = std::chrono::hours(1);  // one tick: it runs until nothing is left
  task::runtime::ExecutionPruner pruner(repo, std::make_shared<task::SystemClock>(), po);
  std::int64_t next_n = base_count;
  auto chunk_first = wall_now() + std::chrono::seconds(2);
  add_due(*repo, next_n, 20 * per_second, chunk_first, step);
  next_n += 20 * per_second;
  auto chunk_end = chunk_first + step * (20 * per_second);
  while (wall_now() < chunk_first)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  const auto prune_from = wall_now();
  t0 = Steady::now();
  pruner.start();
  while (pruner.pruned_total() < rows && Steady::now() - t0 < std::chrono::minutes(10)) {
    if (chunk_end - wall_now() < std::chrono::seconds(8)) {
      add_due(*repo, next_n, 20 * per_second, chunk_end, step);
      next_n += 20 * per_second;
      chunk_end += step * (20 * per_second);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const double prune_s = std::chrono::duration<double>(Steady::now() - t0).count();
  const auto prune_to = wall_now();
  pruner.stop();
  while (wall_now() < chunk_end + std::chrono::seconds(2))
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  loop.stop();
  const auto during = lateness(s, prune_from, prune_to);

  const auto after = repo->execution_totals("bench-user-7", since);
  long long left = 0;
  s << "SELECT COUNT(*) FROM task.task_executions WHERE trigger_type = 'manual'", soci::into(left);
  std::printf(
      "pruned %lld rows in %.1f s: %.0f rows/s (batch %d, 20 ms pause); %lld old rows left\n",
      static_cast<long long>(pruner.pruned_total()), prune_s,
      static_cast<double>(pruner.pruned_total()) / prune_s, batch, left);
  std::printf("lateness without pruning: %zu runs, p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
              base.runs, base.p50, base.p99, base.max);
  std::printf("lateness during the prune: %zu runs, p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
              during.runs, during.p50, during.p99, during.max);
  const bool same = before.total == after.total && before.credits == after.credits &&
                    before.by_quarter_hour == after.by_quarter_hour;
  std::printf("analytics of bench-user-7 over 365 days: %lld executions before, %lld after (%s)\n",
              static_cast<long long>(before.total), static_cast<long long>(after.total),
              same ? "same" : "DIFFERENT");
  return same && left == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  if (argc < 2) {
    std::fprintf(stderr, "usage: prune_bench postgresql://... [ROWS] [TASKS_PER_S] [BATCH]\n");
    return 2;
  }
  try {
    return bench(argv[1], argc > 2 ? std::stoll(argv[2]) : 1000000,
                 argc > 3 ? std::stoi(argv[3]) : 50, argc > 4 ? std::stoi(argv[4]) : 1000);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "prune_bench: %s\n", e.what());
    return 1;
  }
}
