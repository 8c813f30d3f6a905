#pragma once
/// What a run does, per task type (docs/api.md §10b): one Executor per type, in a registry.
///
/// Ownership: the registry shares ownership of its executors (shared_ptr); RunContext and its
/// references live for the duration of run() only — copy what must outlive it.
/// Thread-safety: run() is called from worker threads, several at once, for different tasks; an
/// executor must be safe to run concurrently. Register executors before the registry is shared;
/// lookups are then read-only.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "task/domain/model.hpp"

namespace task {

/// The input of one run.
struct RunContext {
  Task task;            ///< the task as it was when the run started
  Execution execution;  ///< the running execution row
  /// The previous successful result (e.g. news_monitor compares against it); null when none.
  boost::json::value previous_result;
};

/// The outcome of one run: a value, never an exception, for expected failures.
struct RunOutcome {
  bool success = false;
  boost::json::value result;                 ///< on success
  std::optional<std::string> error_message;  ///< on failure
  boost::json::value error_details;          ///< on failure, e.g. {"error_code": "..."}
  std::optional<std::int64_t> tokens_used;
  std::int64_t api_calls_made = 0;

  static RunOutcome ok(boost::json::value result, std::int64_t api_calls = 0) {
    RunOutcome o;
    o.success = true;
    o.result = std::move(result);
    o.api_calls_made = api_calls;
    return o;
  }
  static RunOutcome fail(std::string message, std::string error_code,
                         boost::json::object details = {}) {
    RunOutcome o;
    o.error_message = std::move(message);
    details["error_code"] = error_code;
    o.error_details = std::move(details);
    return o;
  }
};

/// Runs one task type. Must not throw for expected failures (provider down, bad response):
/// return RunOutcome::fail. An exception is recorded as a failed run with error_code
/// EXECUTOR_EXCEPTION.
class Executor {
 public:
  virtual ~Executor() = default;
  virtual RunOutcome run(const RunContext& ctx) = 0;
};

/// Executors by task type. A type with no executor fails its runs with
/// PROVIDER_NOT_CONFIGURED.
using ExecutorRegistry = std::map<TaskType, std::shared_ptr<Executor>>;

}  // namespace task
