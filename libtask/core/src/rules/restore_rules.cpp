#include "task/rules/restore_rules.hpp"

#include <stdexcept>

namespace task {

void check_restore_arguments(const Task& task, const std::vector<Execution>& executions) {
  if (task.id <= 0) throw std::invalid_argument("restore: task row id must be positive");
  for (const auto& x : executions)
    if (x.id <= 0 || x.task_id != task.task_id)
      throw std::invalid_argument("restore: execution " + x.execution_id +
                                  " needs a positive row id and task " + task.task_id);
}

}  // namespace task
