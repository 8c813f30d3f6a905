#include "service_rig.hpp"

#include <boost/json/parse.hpp>
#include <stdexcept>

#include "task/memory/memory_repository.hpp"
#include "task/store/store.hpp"

namespace task::events::test {
namespace {
struct OkExecutor final : Executor {
  RunOutcome run(const RunContext&) override {
    return RunOutcome::ok(boost::json::object{{"ok", true}}, 1);
  }
};
}  // namespace

bool backend_available(Backend b) {
  if (b == Backend::sqlite) return true;
  if (b == Backend::memory) return true;
  (void)b;
  return false;
}

const char* backend_name(Backend b) {
  return b == Backend::sqlite ? "sqlite" : "memory";
}

std::shared_ptr<TaskRepository> open_sqlite(const std::string& path) {
  return store::open_repository("sqlite://" + path);
}

ServiceRig::ServiceRig(Backend backend, const std::string& sqlite_path) {
  if (backend == Backend::sqlite) {
    std::string path = sqlite_path;
    if (path.empty()) {
      dir = std::make_unique<TempDir>();
      path = dir->path + "/tasks.db";
    }
    repo = open_sqlite(path);
  } else {
    repo = std::make_shared<memory::MemoryRepository>();
  }
  executors = std::make_shared<ExecutorRegistry>();
  (*executors)[TaskType::custom] = std::make_shared<OkExecutor>();
  service = std::make_unique<TaskService>(service_ports(repo, clock, ids, executors));
}

Task ServiceRig::create(const std::string& name) {
  return service->create_task(
      caller, boost::json::parse(
                  R"({"name":")" + name +
                  R"(","task_type":"custom","config":{"url":"http://example.invalid/hook"}})"));
}

}  // namespace task::events::test
