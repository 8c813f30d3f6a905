#include <filesystem>
#include <stdexcept>

#include "task/runtime/runtime.hpp"

namespace task::runtime {

std::shared_ptr<TaskRepository> open_repository(const Config& config, std::string& kind) {
  const auto& url = config.database_url;
  if (url == "memory:" || url.rfind("memory:", 0) == 0) {
    kind = "memory";
    throw std::runtime_error("the memory: backend is not built into this binary yet");
  }
  if (url.rfind("sqlite://", 0) == 0) {
    kind = "sqlite";
    throw std::runtime_error("the sqlite backend is not built into this binary yet");
  }
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    kind = "postgresql";
    throw std::runtime_error("the postgresql backend is not built into this binary yet");
  }
  throw std::runtime_error("unsupported database URL '" + url +
                           "' (use sqlite:///path, postgresql://... or memory:)");
}

}  // namespace task::runtime
