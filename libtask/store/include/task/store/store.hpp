#pragma once
/// task::store — the SOCI implementation of the TaskRepository port for SQLite and PostgreSQL.
/// `memory:` URLs are not handled here: the caller (the runtime layer) builds task::memory itself.
///
/// Ownership: open_repository returns a shared_ptr that owns the connection pool; the repository
/// closes its connections when the last owner releases it. Thread-safety: the repository may be
/// used from any number of threads at once (each call borrows a pooled connection; waits when all
/// are busy); set_unreadable_row_hook must be called before it is shared. The free functions are
/// safe to call concurrently.
#include <chrono>
#include <memory>
#include <string>

#include "task/ports/repository.hpp"

namespace task::store {

/// Tuning of a SQL repository.
struct StoreOptions {
  int pool_size = 4;                             ///< connections in the pool
  std::chrono::milliseconds busy_timeout{5000};  ///< SQLite busy_timeout
  int connect_timeout_seconds = 3;               ///< PostgreSQL connect_timeout
  int retries = 3;                               ///< retries of transient failures
  std::chrono::milliseconds retry_backoff{50};   ///< first backoff; doubles per retry
  bool migrate = true;                           ///< apply pending migrations at open
  bool seed_templates = true;                    ///< insert missing built-in templates
  /// execution_totals from the per-user quarter-hour rollup (migration 0005) instead of a scan
  /// of task_executions; off only to compare the two (tests, docs/performance.md).
  bool analytics_rollup = true;
};

/// Opens `sqlite:///path/to/tasks.db` (file created on first start; `sqlite://relative.db` is a
/// relative path) or `postgresql://user[:password]@host[:port]/db[?key=value&...]`, applies
/// pending migrations and seeds the built-in templates. Throws task::Unavailable when the
/// database cannot be reached and std::invalid_argument for any other URL (including `memory:`).
std::shared_ptr<TaskRepository> open_repository(const std::string& url, StoreOptions options = {});

/// The libpq conninfo for a `postgresql://` URL, with connect_timeout and
/// `options='-c TimeZone=UTC -c client_min_messages=warning'` added. Throws
/// std::invalid_argument for a malformed URL.
std::string pg_conninfo_from_url(const std::string& url, int connect_timeout_seconds = 3);

/// Versions of the migrations applied to the database at `url` (ascending); for tests and the
/// operations guide.
std::vector<int> applied_migrations(const std::string& url);

}  // namespace task::store
