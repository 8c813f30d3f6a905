// The in-memory repository: restoring exported tasks (ArchiveStore).
#include <algorithm>
#include <set>

#include "task/core/errors.hpp"
#include "task/memory/memory_repository.hpp"
#include "task/rules/restore_rules.hpp"

namespace task::memory {

void MemoryRepository::restore(const Task& task, const std::vector<Execution>& executions) {
  check_restore_arguments(task, executions);
  std::lock_guard lock(mu_);
  // Every check before the first write, so that a Conflict writes nothing (as a rollback).
  if (tasks_.count(task.task_id)) throw Conflict("stored", "duplicate");
  for (const auto& [key, t] : tasks_)
    if (t.id == task.id) throw Conflict("stored", "duplicate: task row id");
  std::set<std::int64_t> row_ids;
  std::set<std::string, std::less<>> execution_ids;
  std::set<std::pair<std::string, Timestamp>> slots;
  for (const auto& [key, x] : executions_) {
    row_ids.insert(x.id);
    execution_ids.insert(x.execution_id);
    if (x.scheduled_for) slots.emplace(x.task_id, *x.scheduled_for);
  }
  for (const auto& x : executions) {
    if (!row_ids.insert(x.id).second || !execution_ids.insert(x.execution_id).second ||
        (x.scheduled_for && !slots.emplace(x.task_id, *x.scheduled_for).second))
      throw Conflict("stored", "duplicate: execution " + x.execution_id);
  }
  tasks_.emplace(task.task_id, task);
  next_task_id_ = std::max(next_task_id_, task.id);
  for (const auto& x : executions) {
    executions_.emplace(x.execution_id, x);
    next_execution_id_ = std::max(next_execution_id_, x.id);
  }
}

}  // namespace task::memory
