#pragma once
/// The ArchiveStore role: restoring exported data exactly as it was (task-cli import).
///
/// Ownership: the storage object is shared (std::shared_ptr) by the service, the scheduler and
/// the event relay; every result is a copy the caller owns (no reference into storage escapes a
/// call); string_view and reference arguments are read during the call only.
/// Thread-safety: every method may be called from any number of threads at once (task::memory:
/// one mutex, so a callback must not call back into the repository; task::store: a pooled
/// connection per call).
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
