#pragma once
// Fixtures of the scheduler unit tests: a service and a scheduler over the memory repository
// with a manual clock; retry waits advance the clock instead of sleeping.
#include <vector>

#include "support/doubles.hpp"
#include "task/service/scheduler.hpp"
#include "test_support.hpp"

namespace task::test {

using testing::RecordingNotifier;

/// A scheduler fixture: service + scheduler sharing the memory repository and manual clock.
struct SchedulerFixture : Fixture {
  std::shared_ptr<RecordingNotifier> notifier = std::make_shared<RecordingNotifier>();
  Scheduler scheduler;

  explicit SchedulerFixture(std::string replica = "replica-a")
      : scheduler(ports(), options(std::move(replica))) {}

  SchedulerPorts ports() {
    return SchedulerPorts{repo,      clock,    ids,
                          executors, notifier, [c = clock](Micros d) { c->advance(d); }};
  }
  static SchedulerOptions options(std::string replica) {
    SchedulerOptions o;
    o.replica_id = std::move(replica);
    o.batch_size = 16;
    return o;
  }

  /// Moves the clock to `t` and runs one round there.
  StepReport step_at(Timestamp t) {
    clock->set(t);
    return scheduler.step(t);
  }
  /// Steps every `every` from now to `until` (inclusive).
  void walk(Timestamp until, Micros every) {
    for (auto t = clock->now(); t <= until; t += every)
      step_at(t);
  }
  /// All executions of a task, oldest slot first.
  std::vector<Execution> runs(const std::string& task_id) {
    auto page = repo->list_executions(task_id, 1000, 0).executions;
    std::reverse(page.begin(), page.end());
    return page;
  }
  /// The scheduled_for slots of a task's executions, as RFC 3339 text, oldest first.
  std::vector<std::string> slots(const std::string& task_id) {
    std::vector<std::string> out;
    for (const auto& e : runs(task_id))
      out.push_back(e.scheduled_for ? format_rfc3339(*e.scheduled_for) : "manual");
    std::sort(out.begin(), out.end());
    return out;
  }
  Task task(const std::string& task_id) { return *repo->find_task(task_id); }
};

}  // namespace task::test
