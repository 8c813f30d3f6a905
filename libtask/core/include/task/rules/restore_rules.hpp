#pragma once
/// The argument rules of ArchiveStore::restore (task/ports/archive_store.hpp), checked by every
/// adapter before it writes.
#include <vector>

#include "task/domain/model.hpp"

namespace task {

/// Throws std::invalid_argument when the task's row id is not positive, or an execution has no
/// positive row id or belongs to another task.
void check_restore_arguments(const Task& task, const std::vector<Execution>& executions);

}  // namespace task
