// scheduler_minute_bench — "cron on the minute" for docs/performance.md (## Scheduler):
//   scheduler_minute_bench PG_URL TASK_SERVER_BIN [TASKS=200] [MINUTES=3] [REPLICAS=3]
// Creates a fresh database on the server of PG_URL, starts REPLICAS task-server processes on it
// (free loopback ports, scheduler on, gateway auth), creates TASKS todo tasks with the cron
// schedule `* * * * *` through their HTTP APIs (round robin; todo without a notification service
// succeeds without I/O), waits through MINUTES full minute slots after the last creation, stops
// the servers and reads task_executions: per slot and overall the run count, missing and
// duplicate (task, slot) pairs (both must be 0), and p50/p99/max of started_at − scheduled_for,
// plus how many runs started within 50 ms of the minute. The database is dropped at the end; the
// servers are stopped (SIGTERM, then SIGKILL) even when the benchmark fails or is interrupted.
#include <httplib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "pg_scratch.hpp"

namespace {

using Clock = std::chrono::system_clock;
using namespace std::chrono_literals;
using task::testing::free_port;
using task::testing::pg_rows;

constexpr double kTargetMs = 50.0;
std::atomic<bool> g_interrupted{false};

void on_signal(int) {
  g_interrupted = true;
}

/// Throws when SIGINT/SIGTERM arrived, so that destructors stop the servers.
void check_interrupted() {
  if (g_interrupted) throw std::runtime_error("interrupted");
}

/// Sleeps until `t` in short steps, honouring interruption.
void sleep_until(Clock::time_point t) {
  while (Clock::now() < t) {
    check_interrupted();
    std::this_thread::sleep_for(std::min<Clock::duration>(200ms, t - Clock::now()));
  }
}

std::int64_t micros(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

/// One task-server process (scheduler on, gateway auth); stopped by the destructor.
class ServerProcess {
 public:
  ServerProcess(const std::string& bin, const std::string& db_url) : port_(free_port()) {
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGTERM);  // never outlive the benchmark
      for (const char* v :
           {"NATS_URL", "NOTIFICATION_SERVICE_URL", "TASK_JWT_SECRET", "TASK_JWT_PUBLIC_KEY_FILE",
            "TASK_INTERNAL_SECRET", "ACCOUNT_SERVICE_URL", "CALENDAR_SERVICE_URL", "TASK_HTTP"})
        unsetenv(v);
      setenv("TASK_PORT", std::to_string(port_).c_str(), 1);
      setenv("TASK_BIND", "127.0.0.1", 1);
      setenv("TASK_DATABASE_URL", db_url.c_str(), 1);
      setenv("TASK_DEFAULT_TIER", "enterprise", 1);
      setenv("TASK_SCHEDULER", "on", 1);
      setenv("TASK_WORKERS", "8", 1);
      setenv("LOG_LEVEL", "warn", 1);
      execl(bin.c_str(), bin.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    try {
      wait_healthy();
    } catch (...) {
      stop();  // the destructor does not run for a throwing constructor
      throw;
    }
  }
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;
  ~ServerProcess() { stop(); }

  /// SIGTERM, up to 15 s for a clean exit, then SIGKILL. Returns a short description.
  std::string stop() {
    if (pid_ <= 0) return "not running";
    kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? "exit " + std::to_string(WEXITSTATUS(status))
                                 : "signal " + std::to_string(WTERMSIG(status));
      }
      std::this_thread::sleep_for(20ms);
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return "SIGKILL after 15 s";
  }
  int port() const { return port_; }

 private:
  void wait_healthy() {
    httplib::Client c("127.0.0.1", port_);
    for (int i = 0; i < 600; ++i) {
      check_interrupted();
      if (auto r = c.Get("/health"); r && r->status == 200) return;
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("task-server exited during start-up (status " +
                                 std::to_string(status) + ")");
      }
      std::this_thread::sleep_for(50ms);
    }
    throw std::runtime_error("task-server did not come up on port " + std::to_string(port_));
  }

  int port_;
  pid_t pid_ = -1;
};

/// Creates one every-minute todo task through the server on `port`.
void create_task(int port, int n) {
  httplib::Client c("127.0.0.1", port);
  c.set_connection_timeout(10s);
  c.set_read_timeout(30s);
  const std::string body = "{\"name\":\"minute bench " + std::to_string(n) +
                           "\",\"task_type\":\"todo\",\"schedule\":{\"type\":\"cron\","
                           "\"expression\":\"* * * * *\"}}";
  const httplib::Headers headers{{"X-User-ID", "bench-user-" + std::to_string(n % 10)}};
  auto r = c.Post("/api/v1/tasks", headers, body, "application/json");
  if (!r) throw std::runtime_error("create: no answer from port " + std::to_string(port));
  if (r->status != 201)
    throw std::runtime_error("create: " + std::to_string(r->status) + " " + r->body);
}

/// Nearest-rank percentile of sorted values.
double percentile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

/// Lateness of a set of runs (ms) and its one-line summary.
struct Lateness {
  std::vector<double> ms;
  std::string line() {
    std::sort(ms.begin(), ms.end());
    const auto within =
        std::count_if(ms.begin(), ms.end(), [](double v) { return v <= kTargetMs; });
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "runs %5zu  min %8.1f  p50 %8.1f  p99 %8.1f  max %8.1f ms  within 50 ms %5ld "
                  "(%5.1f%%)",
                  ms.size(), ms.empty() ? 0.0 : ms.front(), percentile(ms, 0.5),
                  percentile(ms, 0.99), ms.empty() ? 0.0 : ms.back(), static_cast<long>(within),
                  ms.empty() ? 0.0 : 100.0 * static_cast<double>(within) / ms.size());
    return buf;
  }
};

struct Run {
  std::string task_id, status, replica;
  std::int64_t slot = 0, started = 0;
};

/// Prints the per-slot and overall report; returns false when a slot was missed or duplicated.
bool report(const std::vector<Run>& runs, const std::set<std::string>& tasks,
            Clock::time_point first_slot, int minutes) {
  const auto lo = micros(first_slot), hi = micros(first_slot + std::chrono::minutes(minutes - 1));
  long missing_total = 0, duplicate_total = 0, outside = 0, not_completed = 0;
  Lateness overall;
  std::map<std::string, Lateness> by_replica;
  std::map<std::int64_t, std::vector<const Run*>> by_slot;
  for (const auto& r : runs) {
    if (r.slot < lo || r.slot > hi || !tasks.count(r.task_id)) {
      ++outside;
      continue;
    }
    by_slot[r.slot].push_back(&r);
  }
  for (int m = 0; m < minutes; ++m) {
    const auto slot = micros(first_slot + std::chrono::minutes(m));
    std::map<std::string, int> per_task;
    Lateness late;
    for (const Run* r : by_slot[slot]) {
      ++per_task[r->task_id];
      const double ms = static_cast<double>(r->started - r->slot) / 1000.0;
      late.ms.push_back(ms);
      overall.ms.push_back(ms);
      by_replica[r->replica].ms.push_back(ms);
      if (r->status != "completed") ++not_completed;
    }
    long duplicates = 0;
    for (const auto& [id, n] : per_task)
      duplicates += n - 1;
    const long missing = static_cast<long>(tasks.size() - per_task.size());
    missing_total += missing;
    duplicate_total += duplicates;
    const std::time_t t = Clock::to_time_t(first_slot + std::chrono::minutes(m));
    std::tm tm{};
    gmtime_r(&t, &tm);
    char when[16];
    std::strftime(when, sizeof when, "%H:%M UTC", &tm);
    std::printf("slot %s  missing %ld  duplicate %ld  %s\n", when, missing, duplicates,
                late.line().c_str());
  }
  std::printf("overall         missing %ld  duplicate %ld  %s\n", missing_total, duplicate_total,
              overall.line().c_str());
  for (auto& [replica, late] : by_replica)
    std::printf("  replica %-28s %s\n", replica.c_str(), late.line().c_str());
  std::printf("runs not completed: %ld; scheduled runs outside the %d measured slots: %ld\n",
              not_completed, minutes, outside);
  const bool ok = missing_total == 0 && duplicate_total == 0;
  std::printf("slots: %s; target (every run within 50 ms): %s\n", ok ? "OK" : "FAILED",
              !overall.ms.empty() && overall.ms.back() <= kTargetMs ? "met" : "missed");
  return ok;
}

int parse_arg(int argc, char** argv, int i, int fallback) {
  if (argc <= i) return fallback;
  const int v = std::stoi(argv[i]);
  if (v < 1) throw std::invalid_argument(std::string("argument must be >= 1: ") + argv[i]);
  return v;
}

int run(int argc, char** argv) {
  const std::string admin_url = argv[1], bin = argv[2];
  const int tasks = parse_arg(argc, argv, 3, 200), minutes = parse_arg(argc, argv, 4, 3),
            replicas = parse_arg(argc, argv, 5, 3);
  std::printf("scheduler_minute_bench: %d tasks, %d minutes, %d replicas; load %s\n", tasks,
              minutes, replicas, load_average().c_str());
  task::testing::ScratchDatabase db(admin_url, "minute_bench_" + std::to_string(getpid()));
  std::vector<std::unique_ptr<ServerProcess>> servers;  // declared after db: stopped first
  for (int i = 0; i < replicas; ++i)
    servers.push_back(std::make_unique<ServerProcess>(bin, db.url()));

  // Keep creation inside one minute when possible, so every task has the same slots.
  if (Clock::now() > std::chrono::floor<std::chrono::minutes>(Clock::now()) + 45s)
    sleep_until(std::chrono::ceil<std::chrono::minutes>(Clock::now()) + 1s);
  const auto t0 = Clock::now();
  for (int i = 0; i < tasks; ++i) {
    check_interrupted();
    create_task(servers[static_cast<std::size_t>(i % replicas)]->port(), i);
  }
  const auto created = Clock::now();
  const auto first_slot = std::chrono::ceil<std::chrono::minutes>(created);
  const auto last_slot = first_slot + std::chrono::minutes(minutes - 1);
  std::printf("created %d tasks in %lld ms; measuring slots %lld..%lld (unix s)\n", tasks,
              static_cast<long long>((created - t0) / 1ms),
              static_cast<long long>(micros(first_slot) / 1000000),
              static_cast<long long>(micros(last_slot) / 1000000));
  std::fflush(stdout);

  sleep_until(last_slot + 5s);
  const auto quiet_deadline = Clock::now() + 30s;
  while (Clock::now() < quiet_deadline &&
         pg_rows(db.url(),
                 "SELECT count(*) FROM task.task_executions WHERE status = 'running'")[0][0] != "0")
    sleep_until(Clock::now() + 250ms);
  for (auto& s : servers)
    std::printf("stopped task-server on port %d: %s\n", s->port(), s->stop().c_str());

  std::set<std::string> ids;
  for (const auto& row : pg_rows(db.url(), "SELECT task_id FROM task.user_tasks"))
    ids.insert(row[0]);
  std::vector<Run> runs;
  for (const auto& row : pg_rows(db.url(),
                                 "SELECT task_id, status, coalesce(trigger_data->>'replica', ''), "
                                 "scheduled_for, started_at FROM task.task_executions WHERE "
                                 "trigger_type = 'scheduled' AND scheduled_for IS NOT NULL"))
    runs.push_back({row[0], row[1], row[2], std::stoll(row[3]), std::stoll(row[4])});
  if (static_cast<int>(ids.size()) != tasks)
    throw std::runtime_error("expected " + std::to_string(tasks) + " tasks, found " +
                             std::to_string(ids.size()));
  const bool ok = report(runs, ids, first_slot, minutes);
  std::printf("load %s\n", load_average().c_str());
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: scheduler_minute_bench PG_URL TASK_SERVER_BIN [TASKS=200] [MINUTES=3] "
                 "[REPLICAS=3]\n");
    return 2;
  }
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "scheduler_minute_bench: %s\n", e.what());
    return 1;
  }
}
