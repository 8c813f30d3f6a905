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

}  // namespace task::testing
