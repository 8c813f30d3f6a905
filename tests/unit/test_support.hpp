#pragma once
// Shared fixtures of the unit tests: memory adapters, a manual clock, sequential ids and a
// scriptable executor.
#include <boost/json/parse.hpp>
#include <functional>
#include <memory>
#include <string>

#include "support/time.hpp"
#include "task/memory/memory_repository.hpp"
#include "task/ports/clock.hpp"
#include "task/ports/executor.hpp"
#include "task/ports/id_generator.hpp"
#include "task/service/task_service.hpp"

namespace task::test {

/// Parses JSON text (test input).
inline boost::json::value J(const char* text) {
  return boost::json::parse(text);
}

/// A timestamp from RFC 3339 text (test input; the shared testing::at under a short name).
inline Timestamp T(const char* text) {
  return testing::at(text);
}

/// Deterministic ids: tsk_000..001, exe_000..001, evt-1.
class SequenceIds final : public IdGenerator {
 public:
  std::string task_id() override { return make("tsk_", ++tasks_); }
  std::string execution_id() override { return make("exe_", ++executions_); }
  std::string event_id() override { return "evt-" + std::to_string(++events_); }

 private:
  static std::string make(const char* prefix, int n) {
    std::string digits = std::to_string(n);
    return prefix + std::string(24 - digits.size(), '0') + digits;
  }
  int tasks_ = 0, executions_ = 0, events_ = 0;
};

/// An executor whose behaviour the test sets; counts its calls.
class ScriptedExecutor final : public Executor {
 public:
  std::function<RunOutcome(const RunContext&)> behaviour = [](const RunContext&) {
    return RunOutcome::ok(boost::json::object{{"ok", true}});
  };
  int calls = 0;
  RunOutcome run(const RunContext& ctx) override {
    ++calls;
    return behaviour(ctx);
  }
};

/// A service over the memory adapters at 2026-11-26T10:00:00Z.
struct Fixture {
  std::shared_ptr<memory::MemoryRepository> repo = std::make_shared<memory::MemoryRepository>();
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(T("2026-11-26T10:00:00Z"));
  std::shared_ptr<SequenceIds> ids = std::make_shared<SequenceIds>();
  std::shared_ptr<ExecutorRegistry> executors = std::make_shared<ExecutorRegistry>();
  std::shared_ptr<ScriptedExecutor> executor = std::make_shared<ScriptedExecutor>();
  TaskService service;
  Caller alice{"alice", SubscriptionLevel::basic, false};
  Caller bob{"bob", SubscriptionLevel::basic, false};
  Caller internal{"scheduler", SubscriptionLevel::enterprise, true};

  explicit Fixture(ServiceOptions options = {})
      : service(service_ports(repo, clock, ids, executors), options) {
    for (std::size_t i = 0; i < enum_count<TaskType>(); ++i)
      (*executors)[static_cast<TaskType>(i)] = executor;
  }

  /// Creates a task for `who` from JSON text.
  Task create(const Caller& who, const char* body) { return service.create_task(who, J(body)); }
};

}  // namespace task::test
