// Embeds libtask with the in-memory adapters: creates a todo and an every-minute task, moves a
// manual clock forward, runs what is due with the scheduler (one synchronous round per minute)
// and prints the executions.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <iostream>
#include <memory>

#include "task/memory/memory_repository.hpp"
#include "task/ports/clock.hpp"
#include "task/ports/id_generator.hpp"
#include "task/service/scheduler.hpp"
#include "task/service/task_service.hpp"

namespace {

/// The example's executor: succeeds with a small result naming the task and the clock time.
class ExampleEchoExecutor final : public task::Executor {
 public:
  explicit ExampleEchoExecutor(std::shared_ptr<task::Clock> clock) : clock_(std::move(clock)) {}
  task::RunOutcome run(const task::RunContext& ctx) override {
    return task::RunOutcome::ok(
        boost::json::object{{"echo", ctx.task.name}, {"at", task::format_rfc3339(clock_->now())}});
  }

 private:
  std::shared_ptr<task::Clock> clock_;
};

void print_executions(task::TaskService& service, const task::Caller& caller, const task::Task& t) {
  const auto list = service.list_executions(caller, t.task_id, task::PageRequest{100, 0});
  std::cout << t.name << " (" << task::to_string(t.task_type) << "): " << list.total
            << " execution(s)\n";
  for (const auto& e : list.executions)
    std::cout << "  " << e.execution_id << " trigger=" << task::to_string(e.trigger_type)
              << " status=" << task::to_string(e.status)
              << " started=" << task::format_rfc3339(e.started_at)
              << " result=" << boost::json::serialize(e.result) << "\n";
}

}  // namespace

int main() {
  auto clock = std::make_shared<task::ManualClock>(*task::parse_rfc3339("2026-11-26T08:00:00Z"));
  auto repo = std::make_shared<task::memory::MemoryRepository>();
  auto executors = std::make_shared<task::ExecutorRegistry>();
  auto echo = std::make_shared<ExampleEchoExecutor>(clock);
  (*executors)[task::TaskType::todo] = echo;
  (*executors)[task::TaskType::daily_news] = echo;
  auto ids = std::make_shared<task::RandomIdGenerator>();
  task::TaskService service(task::service_ports(repo, clock, ids, executors));
  // The scheduler without start(): step(now) runs one round on this thread.
  task::Scheduler scheduler({repo, clock, ids, executors, nullptr, nullptr});

  const task::Caller user{"example-user", service.resolve_level("example-user"), false};

  const auto todo = service.create_task(
      user, boost::json::parse(R"({"name":"Write the report","task_type":"todo"})"));
  const auto news = service.create_task(
      user, boost::json::parse(R"({"name":"Headlines every minute","task_type":"daily_news",
                                   "schedule":{"type":"interval","interval_seconds":60}})"));
  std::cout << "created " << todo.task_id << " (" << task::to_string(todo.status) << ") and "
            << news.task_id << " (" << task::to_string(news.status) << ", next run "
            << task::format_rfc3339(*news.next_run_time) << ")\n";

  service.execute(user, todo.task_id);  // a manual run of the todo

  int scheduled_runs = 0;
  for (int minute = 0; minute < 3; ++minute) {
    scheduled_runs += static_cast<int>(scheduler.step(clock->now()).runs);
    clock->advance(std::chrono::seconds{60});
  }

  print_executions(service, user, service.get_task(user, todo.task_id));
  print_executions(service, user, service.get_task(user, news.task_id));
  const auto final_news = service.get_task(user, news.task_id);
  std::cout << "news task: run_count=" << final_news.run_count
            << " status=" << task::to_string(final_news.status) << "\n";
  return scheduled_runs == 3 && final_news.run_count == 3 ? 0 : 1;
}
