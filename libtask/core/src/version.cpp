#include "task/version.hpp"

namespace task {

std::string_view library_version() noexcept {
  return TASK_VERSION_STRING;
}

}  // namespace task
