#include <stdexcept>

#include "task/runtime/runtime.hpp"
#if TASK_WITH_STORE  // -DTASK_WITH_STORE=OFF builds the runtime without task::store
#include <filesystem>

#include "task/store/store.hpp"
#endif
#include "task/memory/memory_repository.hpp"

namespace task::runtime {

namespace {

bool starts_with(const std::string& s, std::string_view prefix) {
  return s.rfind(prefix, 0) == 0;
}

}  // namespace

std::shared_ptr<TaskRepository> open_repository(const Config& config, std::string& kind) {
  const auto& url = config.database_url;
  if (starts_with(url, "memory:")) {
    kind = "memory";
    auto repo = std::make_shared<memory::MemoryRepository>();
    memory::load_builtin_templates(*repo, SystemClock{}.now());
    return repo;
  }
  if (starts_with(url, "sqlite://") || starts_with(url, "postgresql://") ||
      starts_with(url, "postgres://")) {
    kind = starts_with(url, "sqlite://") ? "sqlite" : "postgresql";
#if TASK_WITH_STORE
    if (kind == "sqlite") {
      // Create the database file's directory (e.g. ./data) on first start.
      const auto path = std::filesystem::path(url.substr(std::string_view("sqlite://").size()));
      if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
    }
    store::StoreOptions options;
    options.pool_size = config.db_pool_size;
    return store::open_repository(url, options);  // migrations + template seeding
#else
    throw std::runtime_error("the " + kind +
                             " backend is not built into this binary (libtask was configured "
                             "with TASK_WITH_STORE=OFF)");
#endif
  }
  throw std::runtime_error("unsupported database URL '" + url +
                           "' (use sqlite:///path, postgresql://... or memory:)");
}

}  // namespace task::runtime
