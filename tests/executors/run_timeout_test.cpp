// Run timeouts against a provider that never answers (a loopback socket that accepts connections
// and never sends a byte), with the real provider executors and outbound HTTP: a manual run ends
// as EXECUTION_TIMEOUT within its type's timeout, and 200 scheduled attempts leave the process's
// thread count bounded (no thread per attempt).
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <thread>

#include "stub_provider.hpp"
#include "task/memory/memory_repository.hpp"
#include "task/ports/id_generator.hpp"
#include "task/runtime/scheduler_loop.hpp"
#include "task/runtime/worker_pool.hpp"
#include "task/service/task_service.hpp"

using namespace task;
using namespace std::chrono_literals;

namespace {

/// A TCP listener on 127.0.0.1 that never accepts: the kernel completes the handshakes, and no
/// byte of a response ever comes back.
class SilentProvider {
 public:
  SilentProvider() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(fd_, 512) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
      throw std::runtime_error("silent provider: cannot listen on 127.0.0.1");
    port_ = ntohs(addr.sin_port);
  }
  ~SilentProvider() { ::close(fd_); }
  SilentProvider(const SilentProvider&) = delete;
  SilentProvider& operator=(const SilentProvider&) = delete;
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_ = -1;
  int port_ = 0;
};

std::size_t thread_count() {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/task"))
    ++n;
  return n;
}

/// The production provider executors, pointed at `url`, with their production timeouts (10 s
/// read): only the run's deadline can end a call sooner.
std::shared_ptr<ExecutorRegistry> providers_at(const std::string& url,
                                               std::shared_ptr<TaskRepository> repo) {
  auto reg = std::make_shared<ExecutorRegistry>();
  executors::ProviderConfig cfg;
  cfg.weather_url = url;
  executors::register_providers(*reg, cfg, std::move(repo), nullptr);
  return reg;
}

std::string code_of(const Execution& e) {
  const auto* c = e.error_details.is_object()
                      ? e.error_details.get_object().if_contains("error_code")
                      : nullptr;
  return c && c->is_string() ? std::string(c->get_string()) : "";
}

}  // namespace

TEST_CASE(
    "a manual run of a provider that never answers ends as a timeout within its type's "
    "timeout") {
  SilentProvider silent;
  auto repo = std::make_shared<memory::MemoryRepository>();
  ServiceOptions options;
  options.timeouts.per_type[TaskType::daily_weather] = 400ms;
  TaskService service(
      service_ports(repo, std::make_shared<SystemClock>(), std::make_shared<RandomIdGenerator>(),
                    providers_at(silent.url(), repo)),
      options);
  const Caller alice{"alice", SubscriptionLevel::basic, false};
  const auto task = service.create_task(
      alice, boost::json::parse(
                 R"({"name":"w","task_type":"daily_weather","config":{"location":"Berlin"}})"));
  const auto t0 = std::chrono::steady_clock::now();
  const auto run = service.execute(alice, task.task_id);
  const auto took = std::chrono::steady_clock::now() - t0;
  CHECK(took >= 380ms);
  CHECK(took < 400ms + 1500ms);  // not the provider client's own 10 s
  CHECK(run.execution.status == ExecutionStatus::failed);
  CHECK(code_of(run.execution) == "EXECUTION_TIMEOUT");
  CHECK(run.execution.error_details.at("timeout_ms").as_int64() == 400);
  CHECK(repo->find_task(task.task_id)->status == TaskStatus::failed);
}

TEST_CASE(
    "200 scheduled attempts against a provider that never answers keep the thread count "
    "bounded") {
  SilentProvider silent;
  auto repo = std::make_shared<memory::MemoryRepository>();
  auto clock = std::make_shared<SystemClock>();
  constexpr int kTasks = 50, kAttempts = 4, kWorkers = 4;  // 200 attempts
  const auto past = clock->now() - 5s;
  for (int i = 0; i < kTasks; ++i) {
    Task t;
    char id[32];
    std::snprintf(id, sizeof id, "tsk_%024d", i);
    t.task_id = id;
    t.user_id = "u1";
    t.name = "w" + std::to_string(i);
    t.task_type = TaskType::daily_weather;
    t.config = {{"location", "Berlin"},
                {"retry", {{"max_attempts", kAttempts}, {"backoff_seconds", 0}}}};
    t.status = TaskStatus::scheduled;
    t.schedule = boost::json::object{{"type", "once"}, {"run_at", format_rfc3339(past)}};
    t.next_run_time = past;
    t.created_at = past;
    t.updated_at = past;
    repo->insert_task(t, {});
  }
  const auto before = thread_count();
  {
    runtime::WorkerPool pool(kWorkers, kWorkers * 16);
    SchedulerOptions options;
    options.replica_id = "silent";
    options.timeouts.per_type[TaskType::daily_weather] = 40ms;
    runtime::SchedulerLoopOptions loop_options;
    loop_options.workers = kWorkers;
    runtime::SchedulerLoop loop({repo, clock, std::make_shared<RandomIdGenerator>(),
                                 providers_at(silent.url(), repo), nullptr, nullptr},
                                options, pool, loop_options);
    loop.start();
    std::size_t most = 0;
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (loop.scheduler().metrics().runs_failed < kTasks &&
           std::chrono::steady_clock::now() < deadline) {
      most = std::max(most, thread_count());
      std::this_thread::sleep_for(5ms);
    }
    most = std::max(most, thread_count());
    loop.stop();
    const auto m = loop.scheduler().metrics();
    CHECK(m.runs_failed == kTasks);
    CHECK(m.runs_timed_out == kTasks * kAttempts);
    CHECK(m.retries == kTasks * (kAttempts - 1));
    // The pool's workers, the loop and the finisher: nothing per attempt.
    INFO("threads before " << before << ", most while running " << most);
    CHECK(most <= before + kWorkers + 2);
    WARN("200 attempts: threads before " << before << ", at most " << most << " while running");
  }
  CHECK(thread_count() == before);
  const auto page = repo->list_executions("tsk_000000000000000000000007", 10, 0);
  REQUIRE(page.total == 1);
  CHECK(code_of(page.executions[0]) == "EXECUTION_TIMEOUT");
  CHECK(page.executions[0].trigger_data.at("attempts").as_int64() == kAttempts);
}
