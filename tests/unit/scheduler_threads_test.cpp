// The scheduler's threads (task::runtime::SchedulerLoop: start/stop) over the memory repository
// and the system clock: the loop claims and starts batches, the runtime's worker pool runs them,
// the finisher writes outcomes in batches. Waits are bounded by a deadline and assert
// completion, never timing.
#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "support/doubles.hpp"
#include "task/memory/memory_repository.hpp"
#include "task/ports/clock.hpp"
#include "task/ports/id_generator.hpp"
#include "task/runtime/scheduler_loop.hpp"
#include "task/service/scheduler.hpp"
#include "test_support.hpp"

using namespace task;
using namespace task::test;
using task::testing::CountingExecutor;

namespace {

/// Runs `behaviour` (which the test makes thread-safe).
class LambdaExecutor final : public Executor {
 public:
  explicit LambdaExecutor(std::function<RunOutcome()> behaviour)
      : behaviour_(std::move(behaviour)) {}
  RunOutcome run(const RunContext&) override { return behaviour_(); }

 private:
  std::function<RunOutcome()> behaviour_;
};

/// A todo task whose `once` slot is `slot`.
Task once_task(int n, Timestamp slot) {
  Task t;
  char id[32];
  std::snprintf(id, sizeof id, "tsk_%024d", n);
  t.task_id = id;
  t.user_id = "u" + std::to_string(n % 7);
  t.name = "t" + std::to_string(n);
  t.status = TaskStatus::scheduled;
  t.schedule = boost::json::object{{"type", "once"}, {"run_at", format_rfc3339(slot)}};
  t.next_run_time = slot;
  t.created_at = slot;
  t.updated_at = slot;
  return t;
}

/// A registry that runs todos with `executor`.
std::shared_ptr<ExecutorRegistry> todos_run_by(std::shared_ptr<Executor> executor) {
  auto executors = std::make_shared<ExecutorRegistry>();
  (*executors)[TaskType::todo] = std::move(executor);
  return executors;
}

/// Inserts `n` once tasks (once_task 0 .. n-1) due at `slot`.
void insert_due(memory::MemoryRepository& repo, int n, Timestamp slot) {
  for (int i = 0; i < n; ++i)
    repo.insert_task(once_task(i, slot), {});
}

runtime::SchedulerLoopOptions loop_options(std::size_t workers) {
  runtime::SchedulerLoopOptions o;
  o.workers = workers;
  return o;
}

}  // namespace

TEST_CASE("scheduler threads: every due slot of a burst runs exactly once", "[scheduler]") {
  auto repo = std::make_shared<memory::MemoryRepository>();
  auto clock = std::make_shared<SystemClock>();
  auto executor = std::make_shared<CountingExecutor>();
  auto executors = todos_run_by(executor);
  constexpr int kTasks = 500;
  const auto past = clock->now() - std::chrono::seconds(30);
  insert_due(*repo, kTasks, past);

  SchedulerOptions options;
  options.replica_id = "threads";
  options.batch_size = 40;  // several rounds, queue beyond the workers
  runtime::WorkerPool pool(3, 3 * 16);
  runtime::SchedulerLoop loop(
      {repo, clock, std::make_shared<RandomIdGenerator>(), executors, nullptr, nullptr}, options,
      pool, loop_options(3));
  auto& scheduler = loop.scheduler();
  loop.start();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (scheduler.metrics().runs_succeeded < kTasks && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  loop.stop();
  CHECK(pool.busy() == 0);

  const auto m = scheduler.metrics();
  CHECK(m.runs_succeeded == kTasks);
  CHECK(m.runs_failed == 0);
  CHECK(m.active_runs == 0);
  CHECK(m.claimed == kTasks);
  CHECK(m.rounds < kTasks);  // batches, not one claim per task
  const auto runs = executor->runs();
  CHECK(runs.size() == static_cast<std::size_t>(kTasks));
  for (const auto& [id, n] : runs)
    CHECK(n == 1);
  for (int i = 0; i < kTasks; i += 50) {
    const auto t = *repo->find_task(once_task(i, past).task_id);
    CHECK(t.status == TaskStatus::completed);
    CHECK_FALSE(t.lease_owner);
    const auto page = repo->list_executions(t.task_id, 10, 0);
    REQUIRE(page.total == 1);
    CHECK(page.executions[0].status == ExecutionStatus::completed);
    CHECK(page.executions[0].scheduled_for == past);
  }
}

TEST_CASE("scheduler threads: stop() waits for runs in progress and writes their outcomes",
          "[scheduler]") {
  auto repo = std::make_shared<memory::MemoryRepository>();
  auto clock = std::make_shared<SystemClock>();
  std::atomic<int> started{0};
  std::atomic<bool> release{false};
  auto slow = std::make_shared<LambdaExecutor>([&] {
    ++started;
    while (!release)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return RunOutcome::ok(boost::json::object{});
  });
  auto executors = todos_run_by(slow);
  const auto past = clock->now() - std::chrono::seconds(5);
  insert_due(*repo, 2, past);
  runtime::WorkerPool pool(2, 32);
  runtime::SchedulerLoop loop(
      {repo, clock, std::make_shared<RandomIdGenerator>(), executors, nullptr, nullptr}, {}, pool,
      loop_options(2));
  auto& scheduler = loop.scheduler();
  loop.start();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (started < 2 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  REQUIRE(started == 2);
  std::thread releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    release = true;
  });
  loop.stop();  // returns only after both runs are written
  releaser.join();
  for (int i = 0; i < 2; ++i) {
    const auto t = *repo->find_task(once_task(i, past).task_id);
    CHECK(t.status == TaskStatus::completed);
    CHECK(repo->list_executions(t.task_id, 10, 0).executions.at(0).status ==
          ExecutionStatus::completed);
  }
  CHECK(scheduler.metrics().runs_succeeded == 2);
}

TEST_CASE("scheduler threads: scheduled runs share the one worker pool with other work",
          "[scheduler]") {
  auto repo = std::make_shared<memory::MemoryRepository>();
  auto clock = std::make_shared<SystemClock>();
  auto executor = std::make_shared<CountingExecutor>();
  auto executors = todos_run_by(executor);
  insert_due(*repo, 20, clock->now() - std::chrono::seconds(5));
  // A pool of 2 threads and room for 4 jobs; 3 places are taken by "manual runs" held open.
  runtime::WorkerPool pool(2, 4);
  std::atomic<bool> release{false};
  for (int i = 0; i < 3; ++i) {
    REQUIRE(pool.try_admit());
    pool.submit_admitted([&] {
      while (!release)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    });
  }
  runtime::SchedulerLoop loop(
      {repo, clock, std::make_shared<RandomIdGenerator>(), executors, nullptr, nullptr}, {}, pool,
      loop_options(2));
  loop.start();
  // The loop claims only what the pool admits (one place): nothing runs while both threads are
  // held, and nothing is claimed beyond the admitted place.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(loop.scheduler().metrics().runs_succeeded == 0);
  CHECK(loop.scheduler().metrics().claimed <= 1);
  release = true;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (loop.scheduler().metrics().runs_succeeded < 20 &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  loop.stop();
  CHECK(loop.scheduler().metrics().runs_succeeded == 20);
  CHECK(executor->runs().size() == 20);
  CHECK(pool.busy() == 0);
}
