// Three task-server processes on one PostgreSQL: every due slot runs exactly once (counted both
// in the executions table and at the webhook target), none is missed, and runs lost with a
// process killed by SIGKILL are closed and the schedule goes on after the lease expires.
#include <httplib.h>
#include <signal.h>

#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "support/pg_scratch.hpp"
#include "support/process.hpp"
#include "task/core/time.hpp"

namespace json = boost::json;
using Clock = std::chrono::system_clock;
using namespace std::chrono_literals;
using task::testing::free_port;
using task::testing::ScratchDatabase;

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  if (!v) FAIL(std::string("environment variable not set: ") + name);
  return v;
}

/// One task-server process.
class ServerProcess {
 public:
  ServerProcess(const std::string& db_url, int workers,
                const std::string& user_concurrency = "free=1,basic=2,pro=4,enterprise=16")
      : port_(free_port()),
        process_({env("TASK_SERVER_BIN")}, {.env = {{"TASK_PORT", std::to_string(port_)},
                                                    {"TASK_DATABASE_URL", db_url},
                                                    {"TASK_DEFAULT_TIER", "enterprise"},
                                                    {"TASK_WEBHOOK_ALLOW_PRIVATE", "true"},
                                                    {"TASK_SCHEDULER", "on"},
                                                    {"TASK_WORKERS", std::to_string(workers)},
                                                    {"TASK_USER_CONCURRENCY", user_concurrency},
                                                    {"LOG_LEVEL", "warn"}},
                                            .output = ""}) {
    httplib::Client c("127.0.0.1", port_);
    for (int i = 0; i < 300; ++i) {
      if (auto r = c.Get("/health"); r && r->status == 200) return;
      std::this_thread::sleep_for(50ms);
    }
    FAIL("task-server did not come up on port " << port_);
  }
  int stop(int sig) { return process_.stop(sig); }
  int port() const { return port_; }
  pid_t pid() const { return process_.pid(); }

 private:
  int port_;
  task::testing::ChildProcess process_;
};

/// cpp-httplib's Server re-listened with a real backlog: Debian's build hard-codes 5, so a burst
/// of connections from three replicas' 24 workers overflowed the accept queue and a dropped SYN
/// (1 s retransmit) could fail a run (seen once in CI as a read error after ~1.2 s).
class WideBacklogServer : public httplib::Server {
 public:
  bool listen_wide() {
    if (svr_sock_ != INVALID_SOCKET) ::listen(svr_sock_, 1024);
    return listen_after_bind();
  }
};

/// The webhook target: counts calls per path, optionally slow.
class Target {
 public:
  explicit Target(std::chrono::milliseconds delay) {
    server_.new_task_queue = [] { return new httplib::ThreadPool(96); };
    server_.Post(R"(/hook/(.+))",
                 [this, delay](const httplib::Request& req, httplib::Response& res) {
                   {
                     std::lock_guard lock(mutex_);
                     ++hits_[req.matches[1]];
                   }
                   std::this_thread::sleep_for(delay);
                   res.set_content("{\"ok\":true}", "application/json");
                 });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_wide(); });
    while (!server_.is_running())
      std::this_thread::sleep_for(1ms);
  }
  ~Target() {
    server_.stop();
    thread_.join();
  }
  std::string url(const std::string& key) const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/hook/" + key;
  }
  std::map<std::string, int> hits() {
    std::lock_guard lock(mutex_);
    return hits_;
  }

 private:
  WideBacklogServer server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::map<std::string, int> hits_;
};

std::string rfc3339(Clock::time_point t) {
  return task::format_rfc3339(std::chrono::time_point_cast<std::chrono::microseconds>(t));
}

/// Creates a webhook task through one of the servers; returns its task_id.
std::string create(int port, const std::string& user, const std::string& name,
                   const std::string& url, json::object schedule, int timeout_ms = 5000) {
  httplib::Client c("127.0.0.1", port);
  json::object body{{"name", name},
                    {"task_type", "custom"},
                    {"config", {{"url", url}, {"timeout_ms", timeout_ms}}},
                    {"schedule", std::move(schedule)}};
  auto r = c.Post("/api/v1/tasks", httplib::Headers{{"X-User-ID", user}}, json::serialize(body),
                  "application/json");
  REQUIRE(r);
  INFO(r->body);
  REQUIRE(r->status == 201);
  return std::string(json::parse(r->body).at("task_id").as_string());
}

/// Waits until no execution is running (or the deadline passes).
void wait_quiet(const ScratchDatabase& db, Clock::time_point deadline) {
  while (Clock::now() < deadline) {
    if (db.query("SELECT count(*) FROM task.task_executions WHERE status = 'running'")[0][0] == "0")
      return;
    std::this_thread::sleep_for(250ms);
  }
}

std::int64_t micros(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

}  // namespace

TEST_CASE("every slot runs exactly once across three replicas", "[replicas]") {
  // The issue's scale: 2,000 one-off tasks due within ~5 s and 200 every-minute tasks over three
  // minute slots, on 2 cores shared by PostgreSQL, three servers, the webhook target and this test.
  constexpr int kOnce = 2000, kMinutely = 200;
  ScratchDatabase db(env("TASK_PG_URL"), "sched_replicas");
  Target target(0ms);
  std::vector<std::unique_ptr<ServerProcess>> servers;
  for (int i = 0; i < 3; ++i)
    servers.push_back(std::make_unique<ServerProcess>(db.url(), 8));

  const auto t0 = Clock::now();
  std::map<std::string, std::string> once_name;  // task_id -> name
  std::map<std::string, std::string> minute_name;
  for (int i = 0; i < kMinutely; ++i) {
    const auto name = "m" + std::to_string(i);
    minute_name[create(servers[i % 3]->port(), "user" + std::to_string(i % 10), name,
                       target.url(name), {{"type", "cron"}, {"expression", "* * * * *"}})] = name;
  }
  for (int i = 0; i < kOnce; ++i) {
    const auto name = "o" + std::to_string(i);
    const auto at = t0 + 10s + std::chrono::milliseconds((i % 50) * 100);
    once_name[create(servers[i % 3]->port(), "user" + std::to_string(i % 10), name,
                     target.url(name), {{"type", "once"}, {"run_at", rfc3339(at)}})] = name;
  }
  const auto created = Clock::now();
  WARN("created " << kOnce + kMinutely << " tasks in "
                  << std::chrono::duration_cast<std::chrono::milliseconds>(created - t0).count()
                  << " ms");
  // Three minute slots after the last creation, then let runs in flight finish.
  const auto first_minute = std::chrono::ceil<std::chrono::minutes>(created);
  const auto last_slot = first_minute + 2min;
  std::this_thread::sleep_until(last_slot + 5s);
  wait_quiet(db, Clock::now() + 30s);
  const auto hits = target.hits();

  // No (task, slot) twice.
  CHECK(db.query("SELECT task_id, scheduled_for FROM task.task_executions GROUP BY 1, 2 "
                 "HAVING count(*) > 1")
            .empty());
  // Why any run failed (for the log of a failing run).
  for (const auto& row : db.query("SELECT task_id, error_message, error_details::text FROM "
                                  "task.task_executions WHERE status <> 'completed'"))
    WARN("run of " << row[0] << " failed: " << row[1] << " " << row[2]);
  // One-off tasks: exactly one completed run each, at its slot, one call at the target.
  std::map<std::string, int> once_runs;
  for (const auto& row :
       db.query("SELECT e.task_id, e.status, e.trigger_type FROM task.task_executions e")) {
    if (!once_name.count(row[0])) continue;
    ++once_runs[row[0]];
    CHECK(row[1] == "completed");
    CHECK(row[2] == "scheduled");
  }
  int once_ok = 0;
  for (const auto& [id, name] : once_name) {
    const auto it = hits.find(name);
    if (once_runs[id] == 1 && it != hits.end() && it->second == 1) ++once_ok;
  }
  CHECK(once_ok == kOnce);
  // Every-minute tasks: each minute slot after creation up to last_slot ran exactly once.
  std::map<std::string, std::set<std::int64_t>> minute_slots;
  for (const auto& row : db.query("SELECT task_id, scheduled_for FROM task.task_executions "
                                  "WHERE scheduled_for <= " +
                                  std::to_string(micros(last_slot))))
    if (minute_name.count(row[0])) minute_slots[row[0]].insert(std::stoll(row[1]));
  int minute_ok = 0;
  for (const auto& row : db.query("SELECT task_id, created_at FROM task.user_tasks")) {
    if (!minute_name.count(row[0])) continue;
    std::set<std::int64_t> expected;
    const auto created_at = Clock::time_point(std::chrono::microseconds(std::stoll(row[1])));
    for (auto m = std::chrono::ceil<std::chrono::minutes>(created_at); m <= last_slot; m += 1min)
      expected.insert(micros(m));
    const auto& name = minute_name[row[0]];
    const int calls = hits.count(name) ? hits.at(name) : 0;
    if (minute_slots[row[0]] == expected && calls >= static_cast<int>(expected.size()) &&
        calls <= static_cast<int>(expected.size()) + 1)  // +1: the slot after last_slot
      ++minute_ok;
    else
      WARN(name << ": " << minute_slots[row[0]].size() << " slots, expected " << expected.size()
                << ", calls " << calls);
  }
  CHECK(minute_ok == kMinutely);
  // The work was shared.
  const auto replicas =
      db.query("SELECT count(DISTINCT trigger_data->>'replica') FROM task.task_executions");
  CHECK(std::stoi(replicas[0][0]) == 3);
  const auto late = db.query(
      "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY started_at - scheduled_for), "
      "percentile_cont(0.99) WITHIN GROUP (ORDER BY started_at - scheduled_for), "
      "max(started_at - scheduled_for), count(*) FROM task.task_executions");
  WARN("lateness (us) p50 " << late[0][0] << " p99 " << late[0][1] << " max " << late[0][2]
                            << " over " << late[0][3] << " runs");
}

TEST_CASE("runs lost with a killed replica are recovered after the lease expires", "[crash]") {
  constexpr int kTasks = 60;
  ScratchDatabase db(env("TASK_PG_URL"), "sched_crash");
  Target target(4000ms);  // each run takes 4 s
  std::vector<std::unique_ptr<ServerProcess>> servers;
  for (int i = 0; i < 3; ++i)
    servers.push_back(std::make_unique<ServerProcess>(db.url(), 4));
  const auto at = Clock::now() + 4s;
  std::map<std::string, std::string> names;
  for (int i = 0; i < kTasks; ++i) {
    const auto name = "c" + std::to_string(i);
    names[create(servers[i % 3]->port(), "user" + std::to_string(i % 5), name, target.url(name),
                 {{"type", "once"}, {"run_at", rfc3339(at)}})] = name;
  }
  // Wait until runs are in flight, then SIGKILL the first server.
  std::string victim_runs = "0";
  for (int i = 0; i < 200 && victim_runs == "0"; ++i) {
    std::this_thread::sleep_for(50ms);
    victim_runs = db.query(
        "SELECT count(*) FROM task.task_executions WHERE status = 'running' AND "
        "trigger_data->>'replica' IN (SELECT DISTINCT trigger_data->>'replica' FROM "
        "task.task_executions WHERE status = 'running' ORDER BY 1 LIMIT 1)")[0][0];
  }
  REQUIRE(victim_runs != "0");
  // The replica whose runs we saw: find the server with that pid and kill it.
  const auto replica = db.query(
      "SELECT trigger_data->>'replica' FROM task.task_executions WHERE status = 'running' "
      "ORDER BY 1 LIMIT 1")[0][0];
  const auto pid = std::stoi(replica.substr(replica.find(':') + 1));
  bool killed = false;
  for (auto& server : servers)
    if (server->pid() == pid) killed = server->stop(SIGKILL) != -1;
  REQUIRE(killed);
  WARN("killed replica " << replica << " with " << victim_runs << " runs in flight");
  std::this_thread::sleep_for(1s);

  // Everything settles: lease = webhook timeout 5 s + 5 s + 15 s margin after the run started.
  const auto deadline = Clock::now() + 90s;
  while (Clock::now() < deadline) {
    const auto open = db.query(
        "SELECT count(*) FROM task.user_tasks WHERE status IN ('scheduled', 'running')")[0][0];
    if (open == "0") break;
    std::this_thread::sleep_for(500ms);
  }
  int lost = 0, completed = 0;
  std::map<std::string, int> runs;
  for (const auto& row : db.query("SELECT task_id, status, error_details->>'error_code', "
                                  "trigger_data->>'replica' FROM task.task_executions")) {
    ++runs[row[0]];
    if (row[1] == "completed") ++completed;
    if (row[1] == "failed" && row[2] == "WORKER_LOST") {
      ++lost;
      CHECK(row[3] == replica);  // only the killed replica's runs were lost
    }
  }
  int exactly_once = 0;
  for (const auto& [id, name] : names)
    if (runs[id] == 1) ++exactly_once;
  CHECK(exactly_once == kTasks);  // no slot lost, none duplicated
  CHECK(lost >= 1);
  CHECK(lost + completed == kTasks);
  CHECK(db.query("SELECT count(*) FROM task.user_tasks WHERE status = 'running'")[0][0] == "0");
  WARN(lost << " runs recovered as WORKER_LOST, " << completed << " completed");
}

TEST_CASE("fair turns: ten users' single slots start within one round beside one user's 2,000",
          "[fairness]") {
  // All 2,010 slots are due at the same instant T. User "big" has 2,000 of them; users
  // small0..small9 one each. Every level's limit is 8 runs in flight. (The issue's 10,000 took
  // 100-240 s here on a loaded 2-core machine, too close to the budget; TASK_FAIRNESS_TASKS=10000
  // runs it at that scale, and scheduler_bench fairness does too, docs/performance.md.)
  const char* scale = std::getenv("TASK_FAIRNESS_TASKS");
  const int kBig = scale ? std::clamp(std::atoi(scale), 100, 20000) : 2000;
  constexpr int kSmall = 10, kLimit = 8;
  ScratchDatabase db(env("TASK_PG_URL"), "sched_fairness");
  Target target(0ms);
  std::vector<std::unique_ptr<ServerProcess>> servers;
  for (int i = 0; i < 3; ++i)
    servers.push_back(std::make_unique<ServerProcess>(db.url(), 8, std::to_string(kLimit)));
  const auto slot = std::chrono::ceil<std::chrono::seconds>(Clock::now() + 10s);
  const json::object once{{"type", "once"}, {"run_at", rfc3339(slot)}};
  // The big user's first task through the API, the others copied from its row in SQL (the
  // API would take longer than the test's budget to create them on 2 cores).
  const auto first = create(servers[0]->port(), "big", "big0", target.url("big"), once);
  db.query(
      "INSERT INTO task.user_tasks (task_id, user_id, name, task_type, status, priority, "
      "config, schedule, credits_per_run, tags, metadata, next_run_time, created_at, "
      "updated_at) SELECT 'tsk_' || lpad(to_hex(g), 24, '0'), user_id, name || '-' || g, "
      "task_type, status, priority, config, schedule, credits_per_run, tags, metadata, "
      "next_run_time, created_at, updated_at FROM task.user_tasks, generate_series(1, " +
      std::to_string(kBig - 1) + ") AS g WHERE task_id = '" + first + "'");
  std::set<std::string> small_ids;
  for (int u = 0; u < kSmall; ++u) {
    const auto name = "small" + std::to_string(u);
    small_ids.insert(create(servers[u % 3]->port(), name, name, target.url(name), once));
  }
  REQUIRE(Clock::now() < slot - 1s);  // everything was created before the slot
  REQUIRE(db.query("SELECT count(*) FROM task.user_tasks WHERE status = 'scheduled'")[0][0] ==
          std::to_string(kBig + kSmall));

  // Sample the runs in flight per user (task rows running) until every slot has run.
  std::map<std::string, int> most_in_flight;
  int samples = 0;
  const auto deadline = slot + std::chrono::seconds(std::max(120, kBig / 25));
  std::this_thread::sleep_until(slot - 200ms);
  while (Clock::now() < deadline) {
    for (const auto& row : db.query("SELECT user_id, count(*) FROM task.user_tasks WHERE status "
                                    "= 'running' GROUP BY user_id")) {
      auto& most = most_in_flight[row[0]];
      most = std::max(most, std::stoi(row[1]));
    }
    ++samples;
    if (db.query("SELECT count(*) FROM task.task_executions WHERE status <> 'running'")[0][0] ==
        std::to_string(kBig + kSmall))
      break;
    std::this_thread::sleep_for(20ms);
  }
  REQUIRE(db.query("SELECT count(*) FROM task.task_executions")[0][0] ==
          std::to_string(kBig + kSmall));
  CHECK(db.query("SELECT count(*) FROM task.task_executions WHERE status <> 'completed'")[0][0] ==
        "0");
  // Each of the ten started less than 100 ms after its slot (lateness from the executions).
  const auto small = db.query(
      "SELECT user_id, started_at - scheduled_for FROM task.task_executions WHERE user_id <> "
      "'big' ORDER BY 2");
  REQUIRE(small.size() == kSmall);
  for (const auto& row : small) {
    INFO(row[0] << " started " << row[1] << " us after its slot");
    CHECK(std::stoll(row[1]) < 100000);
  }
  // Never more than the limit in flight for any user.
  CHECK(samples > 10);
  for (const auto& [user, most] : most_in_flight) {
    INFO(user);
    CHECK(most <= kLimit);
  }
  CHECK(most_in_flight["big"] == kLimit);  // the big user did use its whole allowance
  const auto big = db.query(
      "SELECT max(started_at - scheduled_for), max(started_at) - min(started_at), "
      "count(DISTINCT trigger_data->>'replica') FROM task.task_executions WHERE user_id = 'big'");
  const double drain_s = std::stod(big[0][1]) / 1e6;
  WARN("small users' lateness (us), lowest to highest: " << small.front()[1] << " .. "
                                                         << small.back()[1]);
  WARN("big user's " << kBig << " runs: last started " << std::stoll(big[0][0]) / 1000
                     << " ms after the slot; drain " << (drain_s > 0 ? kBig / drain_s : 0)
                     << " runs/s at " << kLimit << " in flight, on " << big[0][2] << " replicas; "
                     << samples << " samples");
}
