#pragma once
/// The ArchiveStore role: restoring exported data exactly as it was (task-cli import).
#include <vector>

#include "task/domain/model.hpp"

namespace task {

/// Restores exported tasks.
class ArchiveStore {
 public:
  virtual ~ArchiveStore() = default;
  /// Inserts `task` and its `executions` exactly as given, row ids and version included, and no
  /// events, in one transaction. Later inserts get row ids above every restored one. Throws
  /// Conflict, writing nothing, when the task_id, an execution_id, a row id or an execution slot
  /// (task_id, scheduled_for) is taken; throws std::invalid_argument when a row id is not
  /// positive or an execution is of another task.
  virtual void restore(const Task& task, const std::vector<Execution>& executions) = 0;
};

}  // namespace task
