// store_bench — storage benchmarks for docs/performance.md.
//   store_bench insert URL SECONDS     insert_task through the repository vs plain single-row
//                                      SOCI INSERTs of the same row width (ratio; target >= 0.7)
//   store_bench analytics URL          analytics of one user with 100,000 (then 500,000) executions
//   among
//                                      1,000,000 tasks of 10,000 users, rollup vs scan (PostgreSQL;
//                                      target < 10 ms)
// URL is a postgresql:// URL of an empty database (the benchmark migrates it).
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "bench_tasks.hpp"
#include "task/store/store.hpp"

namespace {

using Clock = std::chrono::steady_clock;

task::Task bench_task(std::int64_t n) {
  task::Task t = task_bench::numbered_task(n, "bench-user-");
  t.description = "a task written by store_bench";
  t.config = {{"url", "https://example.com"}, {"threshold", 10}};
  t.tags = {"bench", "load"};
  t.created_at = task::from_unix_micros(1767225600000000LL + n);
  t.updated_at = t.created_at;
  return t;
}

double insert_repository(task::TaskStore& repo, double seconds, std::int64_t& n) {
  const auto end = Clock::now() + std::chrono::duration<double>(seconds);
  std::int64_t count = 0;
  const auto start = Clock::now();
  while (Clock::now() < end) {
    repo.insert_task(bench_task(n++), {});
    ++count;
  }
  return count / std::chrono::duration<double>(Clock::now() - start).count();
}

/// Plain one-shot INSERTs of the same columns into a copy of the table, autocommit.
double insert_plain(soci::session& s, double seconds, std::int64_t& n) {
  s << "CREATE TABLE IF NOT EXISTS task.bench_plain (LIKE task.user_tasks INCLUDING DEFAULTS)";
  const auto end = Clock::now() + std::chrono::duration<double>(seconds);
  std::int64_t count = 0;
  const auto start = Clock::now();
  while (Clock::now() < end) {
    const task::Task t = bench_task(n++);
    std::string description = *t.description,
                config = R"({"url":"https://example.com","threshold":10})";
    std::string tags = R"(["bench","load"])", type = "todo", status = "pending", prio = "medium";
    std::string meta = "{}";
    long long created = task::to_unix_micros(t.created_at), version = 1;
    double credits = 0;
    int completed = 0;
    s << "INSERT INTO task.bench_plain (task_id, user_id, name, description, task_type, status, "
         "priority, config, credits_per_run, tags, metadata, is_completed, created_at, "
         "updated_at, version) VALUES (:a, :b, :c, :d, :e, :f, :g, CAST(:h AS jsonb), :i, "
         "ARRAY(SELECT jsonb_array_elements_text(CAST(:j AS jsonb))), CAST(:k AS jsonb), :l, :m, "
         ":n, :o)",
        soci::use(t.task_id), soci::use(t.user_id), soci::use(t.name), soci::use(description),
        soci::use(type), soci::use(status), soci::use(prio), soci::use(config), soci::use(credits),
        soci::use(tags), soci::use(meta), soci::use(completed), soci::use(created),
        soci::use(created), soci::use(version);
    ++count;
  }
  return count / std::chrono::duration<double>(Clock::now() - start).count();
}

int bench_insert(const std::string& url, double seconds) {
  task::store::StoreOptions options;
  options.pool_size = 1;
  auto repo = task::store::open_repository(url, options);
  soci::session s(soci::postgresql, task::store::pg_conninfo_from_url(url));
  std::int64_t n = 1;
  std::vector<double> repo_rates, plain_rates;
  for (int round = 0; round < 3; ++round) {  // interleaved, to share the machine's noise
    repo_rates.push_back(insert_repository(*repo, seconds, n));
    plain_rates.push_back(insert_plain(s, seconds, n));
  }
  std::sort(repo_rates.begin(), repo_rates.end());
  std::sort(plain_rates.begin(), plain_rates.end());
  std::printf("insert_task via repository: median %.0f rows/s (min %.0f, max %.0f)\n",
              repo_rates[1], repo_rates[0], repo_rates[2]);
  std::printf("plain SOCI INSERT:          median %.0f rows/s (min %.0f, max %.0f)\n",
              plain_rates[1], plain_rates[0], plain_rates[2]);
  std::printf("ratio: %.2f (target >= 0.7)\n", repo_rates[1] / plain_rates[1]);
  return 0;
}

void load_analytics_data(soci::session& s);
void time_analytics(task::StatsStore& rollup, task::StatsStore& scan);

int bench_analytics(const std::string& url) {
  auto repo = task::store::open_repository(url);
  soci::session s(soci::postgresql, task::store::pg_conninfo_from_url(url));
  const auto load_start = Clock::now();
  long long existing = 0;
  s << "SELECT COUNT(*) FROM task.user_tasks", soci::into(existing);
  if (existing == 0) load_analytics_data(s);
  long long tasks = 0, users = 0, executions = 0;
  s << "SELECT COUNT(*), COUNT(DISTINCT user_id) FROM task.user_tasks", soci::into(tasks),
      soci::into(users);
  s << "SELECT COUNT(*) FROM task.task_executions", soci::into(executions);
  std::printf("loaded in %.1f s: %lld tasks of %lld users, %lld executions\n",
              std::chrono::duration<double>(Clock::now() - load_start).count(), tasks, users,
              executions);
  task::store::StoreOptions scan_options;
  scan_options.analytics_rollup = false;  // the scan of task_executions the rollup replaced
  auto scan = task::store::open_repository(url, scan_options);
  time_analytics(*repo, *scan);
  // Five times the history of that user in the same 30 days: the rollup's cost must not grow.
  long long mine = 0;
  s << "SELECT COUNT(*) FROM task.task_executions WHERE user_id = 'user-42'", soci::into(mine);
  if (mine < 500000) {
    s << "INSERT INTO task.task_executions (execution_id, task_id, user_id, status, started_at, "
         "created_at, duration_ms, credits_consumed, tokens_used, api_calls_made) SELECT 'exe_' || "
         "lpad(to_hex(2000000 + g), 24, '0'), 'tsk_' || lpad(to_hex(42 + 10000 * (g % 100)), 24, "
         "'0'), 'user-42', 'completed', 1767225600000000 + CAST(g AS BIGINT) * 6480000, "
         "1767225600000000 + CAST(g AS BIGINT) * 6480000, g % 5000, 0.25, 10, 1 FROM "
         "generate_series(1, 400000) g";
    s << "VACUUM ANALYZE task.task_executions";
    s << "VACUUM ANALYZE task.execution_rollup";
  }
  time_analytics(*repo, *scan);
  return 0;
}

void load_analytics_data(soci::session& s) {
  s << "INSERT INTO task.user_tasks (task_id, user_id, name, task_type, status, created_at, "
       "updated_at) SELECT 'tsk_' || lpad(to_hex(g), 24, '0'), 'user-' || (g % 10000), "
       "'task ' || g, (ARRAY['todo','custom','daily_news','reminder'])[1 + g % 4], "
       "(ARRAY['pending','scheduled','completed','failed','paused'])[1 + g % 5], "
       "1767225600000000 + g, 1767225600000000 + g FROM generate_series(1, 1000000) g";
  // 100,000 executions of user-42 (its 100 tasks), over 30 days, plus 400,000 of other users.
  s << "INSERT INTO task.task_executions (execution_id, task_id, user_id, status, started_at, "
       "created_at, duration_ms, credits_consumed, tokens_used, api_calls_made) SELECT 'exe_' || "
       "lpad(to_hex(g), 24, '0'), 'tsk_' || lpad(to_hex(42 + 10000 * (g % 100)), 24, '0'), "
       "'user-42', CASE WHEN g % 10 = 0 THEN 'failed' ELSE 'completed' END, 1767225600000000 + "
       "CAST(g AS BIGINT) * 25920000, 1767225600000000 + CAST(g AS BIGINT) * 25920000, g % 5000, "
       "0.5, 100, 1 FROM "
       "generate_series(1, 100000) g";
  // 400,000 executions of the other users' tasks (1..400040 without user-42's 40 tasks there).
  s << "INSERT INTO task.task_executions (execution_id, task_id, user_id, status, started_at, "
       "created_at, duration_ms) SELECT 'exe_' || lpad(to_hex(1000000 + g), 24, '0'), 'tsk_' || "
       "lpad(to_hex(g), 24, '0'), 'user-' || (g % 10000), 'completed', 1767225600000000 + CAST(g "
       "AS BIGINT) * 6480000, 1767225600000000 + CAST(g AS BIGINT) * 6480000, 10 FROM "
       "generate_series(1, 400040) g WHERE g % 10000 <> 42";
  // As autovacuum would after a bulk load: statistics, and the visibility map that lets the
  // analytics read the covering indexes only (index-only scans).
  s << "VACUUM ANALYZE task.user_tasks";
  s << "VACUUM ANALYZE task.task_executions";
  s << "VACUUM ANALYZE task.execution_rollup";
}

void time_analytics(task::StatsStore& rollup, task::StatsStore& scan) {
  const task::Timestamp since = task::from_unix_micros(1767225600000000LL);
  std::vector<double> ms[2];
  std::int64_t total[2] = {0, 0};
  for (int i = 0; i < 21; ++i) {
    for (int k = 0; k < 2; ++k) {  // interleaved: the same load for both
      auto& repo = k == 0 ? rollup : scan;
      const auto start = Clock::now();
      auto counts = repo.count_tasks_by(std::string_view("user-42"));
      auto totals = repo.execution_totals(std::string_view("user-42"), since);
      ms[k].push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
      total[k] = totals.total + static_cast<std::int64_t>(counts.by_status.size()) * 0;
    }
  }
  for (int k = 0; k < 2; ++k) {
    std::sort(ms[k].begin(), ms[k].end());
    std::printf(
        "analytics of one user (%lld executions), %s: median %.1f ms (min %.1f, max %.1f), "
        "target < 10 ms\n",
        static_cast<long long>(total[k]), k == 0 ? "rollup" : "scan  ", ms[k][ms[k].size() / 2],
        ms[k].front(), ms[k].back());
  }
  if (total[0] != total[1])
    std::printf("MISMATCH: rollup %lld, scan %lld\n", static_cast<long long>(total[0]),
                static_cast<long long>(total[1]));
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "insert" && argc > 3) return bench_insert(argv[2], std::stod(argv[3]));
  if (mode == "analytics" && argc > 2) return bench_analytics(argv[2]);
  std::fprintf(stderr, "usage: store_bench insert URL SECONDS | store_bench analytics URL\n");
  return 2;
}
