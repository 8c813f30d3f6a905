// LocalBackend: TaskService over a local database through task::runtime.
// PLACEHOLDER until task::runtime (Runtime) lands: local mode reports that it is unavailable.
#include "backend.hpp"
#include "exit_codes.hpp"

namespace task::cli {

std::unique_ptr<Backend> make_local_backend(const GlobalOptions&) {
  throw UsageError("local mode is not built yet (needs task::runtime); use --server");
}

std::unique_ptr<Backend> make_backend(const GlobalOptions& options) {
  if (!options.server.empty() && !options.db.empty())
    throw UsageError("use either --db (local) or --server (remote), not both");
  if (!options.server.empty()) return make_remote_backend(options);
  return make_local_backend(options);
}

}  // namespace task::cli
