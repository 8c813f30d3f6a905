// scheduler_bench — scheduler benchmarks for docs/performance.md (PostgreSQL).
//   scheduler_bench burndown URL N [WORKERS] [BATCH] [SETTING]
//       (defaults: 8 workers, the scheduler's batch of 128, SETTING = the TASK_USER_CONCURRENCY
//       default: fair turns, limits by level) N due no-op tasks of 100 users (todo, once schedule
//       in the past, no notification service: the todo executor succeeds without I/O) drained by
//       the real task::Scheduler (start(), background loop + worker pool, real store), then the
//       same N rows claimed + completed by a plain SQL loop (FOR UPDATE SKIP LOCKED batch claim +
//       INSERT execution + UPDATE task, one transaction per batch). Prints executions/s of both and
//       the ratio.
//   scheduler_bench fairness URL N [WORKERS] [BATCH] [SETTINGS]
//       N due no-op tasks of one user and one of each of ten other users, all due at the same
//       instant, drained by one scheduler replica once per TASK_USER_CONCURRENCY setting in the
//       comma-separated SETTINGS, one right after the other (default "0,16,off": fair turns with
//       no per-user limit, fair turns with the enterprise default of 16 in flight, and the first
//       release's claim order). Prints the ten users' p50/p99/max lateness and the big user's
//       drain rate of each, and the ratio of each fair drain to the `off` one.
//   scheduler_bench lateness URL COUNT SECONDS
//       COUNT once-tasks at distinct instants spread over SECONDS, one scheduler replica;
//       p50/p99/max of (execution started_at − scheduled_for).
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
#include "task/rules/fair_turns.hpp"
#include "task/runtime/scheduler_loop.hpp"
#include "task/schedule/schedule.hpp"
#include "task/service/scheduler.hpp"
#include "task/store/store.hpp"

namespace {

using task_bench::due_task;

using Steady = std::chrono::steady_clock;

void reset(soci::session& s) {
  s << "TRUNCATE task.user_tasks, task.task_executions, task.event_outbox";
}

/// Inserts one task through the repository, then clones it n-1 times in SQL (fast seeding).
void seed_due(task::TaskStore& repo, soci::session& s, std::int64_t n, task::Timestamp slot) {
  reset(s);
  repo.insert_task(due_task(0, slot, slot), {});
  s << "INSERT INTO task.user_tasks (task_id, user_id, name, task_type, status, priority, config, "
       "schedule, metadata, next_run_time, created_at, updated_at) SELECT 'tsk_' || "
       "lpad(to_hex(g), 24, '0'), 'bench-user-' || (g % 100), 'scheduler bench ' || g, "
       "t.task_type, t.status, t.priority, t.config, t.schedule, t.metadata, t.next_run_time, "
       "t.created_at, t.updated_at FROM task.user_tasks t, generate_series(1, :n - 1) g",
      soci::use(static_cast<long long>(n));
  s << "ANALYZE task.user_tasks";
}

std::shared_ptr<task::ExecutorRegistry> noop_executors() {
  auto reg = std::make_shared<task::ExecutorRegistry>();
  (*reg)[task::TaskType::todo] = std::make_shared<task::clients::NotifyExecutor>(nullptr);
  return reg;
}

task::SchedulerPorts ports(std::shared_ptr<task::SchedulerStore> repo) {
  return {std::move(repo),
          std::make_shared<task::SystemClock>(),
          std::make_shared<task::RandomIdGenerator>(),
          noop_executors(),
          nullptr,
          nullptr};
}

long long count(soci::session& s, const std::string& sql) {
  long long n = 0;
  s << sql, soci::into(n);
  return n;
}

double run_scheduler(std::shared_ptr<task::SchedulerStore> repo, soci::session& s, std::int64_t n,
                     std::size_t workers, int batch,
                     task::ClaimFairness fairness = task::ClaimFairness{}) {
  task::SchedulerOptions options;
  options.fairness = fairness;
  options.replica_id = "bench";
  options.batch_size = batch;
  options.reminders = false;
  task::runtime::WorkerPool pool(workers, workers * 16);
  task::runtime::SchedulerLoopOptions loop_options;
  loop_options.workers = workers;
  task::runtime::SchedulerLoop loop(ports(std::move(repo)), options, pool, loop_options);
  auto& scheduler = loop.scheduler();
  const auto start = Steady::now();
  loop.start();
  for (;;) {
    const auto m = scheduler.metrics();
    if (m.runs_succeeded + m.runs_failed >= n) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  const double secs = std::chrono::duration<double>(Steady::now() - start).count();
  loop.stop();
  const auto m = scheduler.metrics();
  std::printf("  scheduler: %lld succeeded, %lld failed, %lld rounds, %lld storage errors\n",
              static_cast<long long>(m.runs_succeeded), static_cast<long long>(m.runs_failed),
              static_cast<long long>(m.rounds), static_cast<long long>(m.storage_errors));
  const long long rows = count(s,
                               "SELECT COUNT(*) FROM task.task_executions WHERE trigger_type = "
                               "'scheduled' AND status = 'completed'");
  if (rows != n)
    std::printf("  WARNING: %lld completed execution rows, expected %lld\n", rows,
                static_cast<long long>(n));
  return static_cast<double>(n) / secs;
}

/// Claims a batch (SKIP LOCKED), writes a completed execution per row and completes the task:
/// one transaction per batch, on one connection.
double run_plain(soci::session& s, std::int64_t n, int batch) {
  const auto start = Steady::now();
  std::int64_t done = 0, seq = 0;
  while (done < n) {
    const long long now = task::to_unix_micros(
        std::chrono::time_point_cast<task::Micros>(std::chrono::system_clock::now()));
    const long long lease = now + 30000000;
    std::vector<std::string> ids(static_cast<std::size_t>(batch)), users(ids.size());
    std::vector<long long> slots(ids.size());
    soci::transaction tr(s);
    s << "WITH picked AS (SELECT id FROM task.user_tasks WHERE status = 'scheduled' AND "
         "deleted_at IS NULL AND next_run_time <= :now AND (lease_expires_at IS NULL OR "
         "lease_expires_at <= :now2) ORDER BY next_run_time, id LIMIT :lim FOR UPDATE SKIP LOCKED) "
         "UPDATE task.user_tasks SET lease_owner = 'plain', lease_expires_at = :lease WHERE id IN "
         "(SELECT id FROM picked) RETURNING task_id, user_id, next_run_time",
        soci::use(now), soci::use(now), soci::use(batch), soci::use(lease), soci::into(ids),
        soci::into(users), soci::into(slots);
    for (std::size_t i = 0; i < ids.size(); ++i) {
      char eid[40];
      std::snprintf(eid, sizeof eid, "exe_%024llx", static_cast<unsigned long long>(++seq));
      const std::string exec_id = eid;
      s << "INSERT INTO task.task_executions (execution_id, task_id, user_id, status, "
           "trigger_type, trigger_data, scheduled_for, result, duration_ms, started_at, "
           "completed_at, created_at) VALUES (:e, :t, :u, 'completed', 'scheduled', "
           "CAST('{}' AS jsonb), :slot, CAST('{}' AS jsonb), 0, :s1, :s2, :s3)",
          soci::use(exec_id), soci::use(ids[i]), soci::use(users[i]), soci::use(slots[i]),
          soci::use(now), soci::use(now), soci::use(now);
      s << "UPDATE task.user_tasks SET status = 'completed', next_run_time = NULL, "
           "last_run_time = :a, last_success_time = :b, run_count = run_count + 1, "
           "success_count = success_count + 1, lease_owner = NULL, lease_expires_at = NULL, "
           "updated_at = :c, version = version + 1 WHERE task_id = :t",
          soci::use(now), soci::use(now), soci::use(now), soci::use(ids[i]);
    }
    tr.commit();
    done += static_cast<std::int64_t>(ids.size());
    if (ids.empty()) break;
  }
  return static_cast<double>(done) / std::chrono::duration<double>(Steady::now() - start).count();
}

int bench_burndown(const std::string& url, std::int64_t n, std::size_t workers, int batch,
                   const std::string& setting) {
  const auto fairness =
      setting.empty() ? task::ClaimFairness{} : task::parse_user_concurrency(setting);
  task::store::StoreOptions options;
  options.pool_size = static_cast<int>(workers) + 2;
  auto repo = task::store::open_repository(url, options);
  soci::session s(soci::postgresql, task::store::pg_conninfo_from_url(url));
  const auto past = std::chrono::time_point_cast<task::Micros>(std::chrono::system_clock::now()) -
                    std::chrono::minutes(1);
  std::vector<double> sched, plain;
  for (int round = 0; round < 2; ++round) {  // interleaved, to share the machine's noise
    seed_due(*repo, s, n, past);
    std::printf("round %d: %lld due tasks seeded\n", round + 1, static_cast<long long>(n));
    sched.push_back(run_scheduler(repo, s, n, workers, batch, fairness));
    std::printf("round %d: scheduler %.0f executions/s\n", round + 1, sched.back());
    seed_due(*repo, s, n, past);
    plain.push_back(run_plain(s, n, batch));
    std::printf("round %d: plain SQL %.0f executions/s\n", round + 1, plain.back());
  }
  const double best_s = *std::max_element(sched.begin(), sched.end());
  const double best_p = *std::max_element(plain.begin(), plain.end());
  std::printf(
      "N=%lld workers=%zu batch=%d TASK_USER_CONCURRENCY=%s: scheduler best %.0f/s, plain best "
      "%.0f/s, ratio %.2f\n",
      static_cast<long long>(n), workers, batch, setting.empty() ? "(default)" : setting.c_str(),
      best_s, best_p, best_s / best_p);
  return 0;
}

/// Seeds `n` tasks of user "big" and one of each of small0..small9, all due at `slot`.
void seed_fair(task::TaskStore& repo, soci::session& s, std::int64_t n, task::Timestamp slot,
               task::Timestamp now) {
  reset(s);
  auto first = due_task(0, slot, now);
  first.user_id = "big";
  repo.insert_task(first, {});
  s << "INSERT INTO task.user_tasks (task_id, user_id, name, task_type, status, priority, config, "
       "schedule, metadata, next_run_time, created_at, updated_at) SELECT 'tsk_' || "
       "lpad(to_hex(g), 24, '0'), 'big', 'scheduler bench ' || g, t.task_type, t.status, "
       "t.priority, t.config, t.schedule, t.metadata, t.next_run_time, t.created_at, t.updated_at "
       "FROM task.user_tasks t, generate_series(1, :n - 1) g",
      soci::use(static_cast<long long>(n));
  for (int u = 0; u < 10; ++u) {
    auto small = due_task(n + u, slot, now);
    small.user_id = "small" + std::to_string(u);
    repo.insert_task(small, {});
  }
  s << "ANALYZE task.user_tasks";
}

int bench_fairness(const std::string& url, std::int64_t n, std::size_t workers, int batch,
                   const std::string& settings) {
  task::store::StoreOptions options;
  options.pool_size = static_cast<int>(workers) + 2;
  auto repo = task::store::open_repository(url, options);
  soci::session s(soci::postgresql, task::store::pg_conninfo_from_url(url));
  std::vector<std::pair<std::string, double>> drains;
  for (std::size_t from = 0; from <= settings.size();) {
    const auto comma = std::min(settings.find(',', from), settings.size());
    const std::string setting = settings.substr(from, comma - from);
    from = comma + 1;
    const std::string name = "TASK_USER_CONCURRENCY=" + setting;
    const auto now = std::chrono::time_point_cast<task::Micros>(std::chrono::system_clock::now());
    // 3 s to seed, 1 s more per 5,000 rows (a loaded machine).
    const auto slot = now + std::chrono::seconds(3 + n / 5000);
    seed_fair(*repo, s, n, slot, now);
    if (std::chrono::system_clock::now() >= slot) {
      std::fprintf(stderr, "scheduler_bench: seeding took longer than its lead\n");
      return 1;
    }
    std::this_thread::sleep_until(slot - std::chrono::milliseconds(200));
    run_scheduler(repo, s, n + 10, workers, batch, task::parse_user_concurrency(setting));
    std::vector<long long> late;
    soci::rowset<long long> rows =
        (s.prepare << "SELECT started_at - scheduled_for FROM task.task_executions WHERE user_id "
                      "<> 'big' ORDER BY 1");
    for (auto v : rows)
      late.push_back(v);
    long long big_first = 0, big_last = 0;
    s << "SELECT min(started_at), max(completed_at) FROM task.task_executions WHERE user_id = "
         "'big'",
        soci::into(big_first), soci::into(big_last);
    const double drain =
        static_cast<double>(n) / (static_cast<double>(big_last - task::to_unix_micros(slot)) / 1e6);
    std::printf(
        "%-30s small users' lateness p50 %.1f ms, p99 %.1f ms, max %.1f ms; big user's "
        "%lld runs drained at %.0f runs/s (first started %.1f ms after the slot)\n",
        name.c_str(), late.at(late.size() / 2) / 1000.0,
        late.at(std::min(late.size() - 1, late.size() * 99 / 100)) / 1000.0, late.back() / 1000.0,
        static_cast<long long>(n), drain,
        static_cast<double>(big_first - task::to_unix_micros(slot)) / 1000.0);
    drains.emplace_back(setting, drain);
  }
  // Each setting beside the "off" run next to it (the one after it, else the one before): the
  // pairs share the machine's noise; their median is the drain ratio.
  std::vector<double> ratios;
  for (std::size_t i = 0; i < drains.size(); ++i) {
    if (drains[i].first == "off") continue;
    std::size_t off = drains.size();
    for (std::size_t j = i + 1; j < drains.size() && off == drains.size(); ++j)
      if (drains[j].first == "off") off = j;
    for (std::size_t j = i; j-- > 0 && off == drains.size();)
      if (drains[j].first == "off") off = j;
    if (off == drains.size()) continue;
    ratios.push_back(drains[i].second / drains[off].second);
    std::printf("drain ratio TASK_USER_CONCURRENCY=%s / off (runs %zu and %zu): %.2f\n",
                drains[i].first.c_str(), i + 1, off + 1, ratios.back());
  }
  if (!ratios.empty()) {
    std::sort(ratios.begin(), ratios.end());
    std::printf("median drain ratio of %zu pairs: %.2f\n", ratios.size(),
                ratios[ratios.size() / 2]);
  }
  return 0;
}

int bench_lateness(const std::string& url, int tasks, double seconds) {
  task::store::StoreOptions options;
  options.pool_size = 10;
  auto repo = task::store::open_repository(url, options);
  soci::session s(soci::postgresql, task::store::pg_conninfo_from_url(url));
  reset(s);
  const auto now = std::chrono::time_point_cast<task::Micros>(std::chrono::system_clock::now());
  // The first slot leaves 15 s for the inserts (slow on a loaded machine); checked below.
  const auto first = now + std::chrono::seconds(15);
  const auto step =
      std::chrono::duration_cast<task::Micros>(std::chrono::duration<double>(seconds / tasks));
  for (int i = 0; i < tasks; ++i)
    repo->insert_task(due_task(i, first + step * i, now), {});
  const auto seeded = std::chrono::time_point_cast<task::Micros>(std::chrono::system_clock::now());
  if (seeded >= first) {
    std::fprintf(stderr, "scheduler_bench: seeding took longer than the 15 s lead\n");
    return 1;
  }
  task::SchedulerOptions so;
  so.replica_id = "bench";
  task::runtime::WorkerPool pool(8, 8 * 16);
  task::runtime::SchedulerLoopOptions loop_options;
  loop_options.workers = 8;
  task::runtime::SchedulerLoop loop(ports(repo), so, pool, loop_options);
  auto& scheduler = loop.scheduler();
  loop.start();
  while (scheduler.metrics().runs_succeeded + scheduler.metrics().runs_failed < tasks)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  loop.stop();
  std::vector<long long> late;
  soci::rowset<long long> rows =
      (s.prepare << "SELECT started_at - scheduled_for FROM task.task_executions WHERE "
                    "trigger_type = 'scheduled'");
  for (auto v : rows)
    late.push_back(v);
  std::sort(late.begin(), late.end());
  auto pct = [&](double p) {
    return late[std::min(late.size() - 1, static_cast<std::size_t>(p * late.size()))] / 1000.0;
  };
  std::printf("lateness of %zu runs over %.0f s: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
              late.size(), seconds, pct(0.50), pct(0.99), late.back() / 1000.0);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress lines even when piped
  const std::string mode = argc > 1 ? argv[1] : "";
  try {
    if (mode == "burndown" && argc > 3)
      return bench_burndown(argv[2], std::stoll(argv[3]),
                            argc > 4 ? std::stoul(argv[4]) : std::size_t{8},
                            argc > 5 ? std::stoi(argv[5]) : task::SchedulerOptions{}.batch_size,
                            argc > 6 ? argv[6] : "");
    if (mode == "fairness" && argc > 3)
      return bench_fairness(argv[2], std::stoll(argv[3]),
                            argc > 4 ? std::stoul(argv[4]) : std::size_t{8},
                            argc > 5 ? std::stoi(argv[5]) : 128, argc > 6 ? argv[6] : "0,16,off");
    if (mode == "lateness" && argc > 4)
      return bench_lateness(argv[2], std::stoi(argv[3]), std::stod(argv[4]));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "scheduler_bench: %s\n", e.what());
    return 1;
  }
  std::fprintf(
      stderr,
      "usage: scheduler_bench burndown URL N [WORKERS] [BATCH] [SETTING] | scheduler_bench "
      "fairness URL N [WORKERS] [BATCH] [SETTINGS] | scheduler_bench lateness URL COUNT SECONDS\n");
  return 2;
}
