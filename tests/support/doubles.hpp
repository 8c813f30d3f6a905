// Test doubles of the core's ports that more than one tier uses. Each records what it was given
// and is thread-safe (schedulers call executors and notifiers from worker threads).
// Header-only (tests/support).
#pragma once

#include <boost/json/object.hpp>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "task/ports/collaborators.hpp"
#include "task/ports/executor.hpp"

namespace task::testing {

/// Counts runs per task_id and succeeds with {"ok": true}.
class CountingExecutor final : public Executor {
 public:
  RunOutcome run(const RunContext& ctx) override {
    std::lock_guard lock(mutex_);
    ++runs_[ctx.task.task_id];
    return RunOutcome::ok(boost::json::object{{"ok", true}});
  }
  /// Runs so far, per task_id.
  std::map<std::string, int> runs() const {
    std::lock_guard lock(mutex_);
    return runs_;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, int> runs_;
};

/// Records every notification.
class RecordingNotifier final : public Notifier {
 public:
  void notify(const Notification& n) override {
    std::lock_guard lock(mutex_);
    sent_.push_back(n);
  }
  /// The notifications so far, in order.
  std::vector<Notification> sent() const {
    std::lock_guard lock(mutex_);
    return sent_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<Notification> sent_;
};

/// A run context for a task of `type` with `config`.
inline RunContext context(TaskType type, boost::json::object config,
                          boost::json::value previous = nullptr) {
  RunContext ctx;
  ctx.task.task_id = "tsk_000000000000000000000001";
  ctx.task.user_id = "user-1";
  ctx.task.name = "test task";
  ctx.task.task_type = type;
  ctx.task.config = std::move(config);
  ctx.execution.execution_id = "exe_000000000000000000000001";
  ctx.execution.task_id = ctx.task.task_id;
  ctx.execution.user_id = ctx.task.user_id;
  ctx.previous_result = std::move(previous);
  return ctx;
}

/// error_details.error_code of a failed outcome.
inline std::string error_code(const RunOutcome& o) {
  if (!o.error_details.is_object()) return "";
  const auto* c = o.error_details.get_object().if_contains("error_code");
  return c && c->is_string() ? std::string(c->get_string()) : "";
}

}  // namespace task::testing
