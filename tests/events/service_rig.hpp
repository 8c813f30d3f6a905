#pragma once
// A TaskService over a real repository (SQLite file via task::store, or task::memory) for the
// events tier.
#include <memory>
#include <string>

#include "support.hpp"
#include "task/ports/clock.hpp"
#include "task/ports/executor.hpp"
#include "task/ports/id_generator.hpp"
#include "task/service/task_service.hpp"

namespace task::events::test {

/// Which repository backs the rig.
enum class Backend { sqlite, memory };

/// True when the backend was built into this test binary.
bool backend_available(Backend b);
const char* backend_name(Backend b);

/// A service with a `custom` executor that succeeds, an enterprise caller (no quotas).
struct ServiceRig {
  explicit ServiceRig(Backend backend, const std::string& sqlite_path = {});
  std::shared_ptr<TaskRepository> repo;
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(
      std::chrono::time_point_cast<Micros>(std::chrono::system_clock::now()));
  std::shared_ptr<RandomIdGenerator> ids = std::make_shared<RandomIdGenerator>();
  std::unique_ptr<TaskService> service;
  Caller caller{"user-1", SubscriptionLevel::enterprise, false};
  std::shared_ptr<ExecutorRegistry> executors;
  std::unique_ptr<TempDir> dir;  ///< when the SQLite file is the rig's own

  /// Creates a `custom` task named `name` (status pending) for `caller`.
  Task create(const std::string& name);
};

/// Opens a repository on an existing SQLite file (a second process / a restart).
std::shared_ptr<TaskRepository> open_sqlite(const std::string& path);

}  // namespace task::events::test
