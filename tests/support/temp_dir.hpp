// A fresh temporary directory, removed with everything in it at the end of its scope.
// Header-only (tests/support).
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>

namespace task::testing {

class TempDir {
 public:
  /// mkdtemp under the system temporary directory; `prefix` names the test in the path.
  explicit TempDir(const std::string& prefix = "task-test") {
    std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed for " + tmpl);
    path = tmpl;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  /// The directory (absolute).
  std::string path;
};

}  // namespace task::testing
