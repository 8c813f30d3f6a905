#pragma once
/// The seam between the commands and the service: the same JSON bodies in and the same HTTP
/// representations out, whether the service runs in this process over a database
/// (LocalBackend) or behind a task-server (RemoteBackend). Errors: local mode throws the core
/// error hierarchy (task/core/errors.hpp), remote mode RemoteError / ConnectionError; both are
/// mapped to exit codes in one place (exit_codes.hpp).
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "options.hpp"

namespace task::cli {

/// Query parameters in order; a key may repeat (`tag`).
using Params = std::vector<std::pair<std::string, std::string>>;

/// One task with its whole execution history, as exported and imported (JSON Lines).
struct TaskRecord {
  boost::json::object task;
  boost::json::array executions;  ///< oldest first
};

/// A started or finished manual run.
struct RunResult {
  boost::json::object execution;
  bool finished = false;  ///< false when the wait ran out (HTTP 202)
};

/// Operations every command is written against (docs/api.md §6). With
/// GlobalOptions::idempotency_key, the four keyed POSTs (create_task, create_from_template,
/// execute_task, bulk) carry that key: remote mode sends the `Idempotency-Key` header, local mode
/// applies the same rules over the same records (task::IdempotencyGuard), so a repeated command
/// answers the first result and changes nothing twice.
class Backend {
 public:
  virtual ~Backend() = default;
  /// POST /api/v1/tasks -> Task.
  virtual boost::json::object create_task(const boost::json::object& body) = 0;
  /// GET /api/v1/tasks -> {"tasks":[...],"count","total","limit","offset","next_cursor","filters"}.
  virtual boost::json::object list_tasks(const Params& query) = 0;
  /// GET /api/v1/tasks/{id} -> Task.
  virtual boost::json::object get_task(const std::string& task_id) = 0;
  /// PUT /api/v1/tasks/{id} -> Task.
  virtual boost::json::object update_task(const std::string& task_id,
                                          const boost::json::object& body) = 0;
  /// DELETE /api/v1/tasks/{id} -> {"message","task_id"}.
  virtual boost::json::object delete_task(const std::string& task_id) = 0;
  /// POST /api/v1/tasks/{id}/execute?wait_ms= -> Execution (finished, or running on timeout).
  virtual RunResult execute_task(const std::string& task_id, const boost::json::object& body,
                                 int wait_ms) = 0;
  /// GET /api/v1/tasks/{id}/executions -> array of Execution, plus X-Total-Count.
  virtual std::pair<boost::json::array, std::int64_t> list_executions(const std::string& task_id,
                                                                      const Params& query) = 0;
  /// GET /api/v1/templates -> array of Template.
  virtual boost::json::array list_templates(const Params& query) = 0;
  /// POST /api/v1/tasks/from-template -> Task.
  virtual boost::json::object create_from_template(const boost::json::object& body) = 0;
  /// GET /api/v1/analytics -> Analytics.
  virtual boost::json::object analytics(const Params& query) = 0;
  /// Stores an exported task and its executions exactly (row ids, timestamps, counters) in one
  /// transaction (ArchiveStore::restore). Only a local database can do this; RemoteBackend
  /// throws UsageError.
  virtual void import_record(const TaskRecord& record) = 0;
  /// Called before an import reads its input: throws UsageError when this backend cannot import.
  virtual void begin_import() {}
  /// GET /api/v1/tasks/{id}/upcoming?count= -> {"task_id","timezone","runs":[{"at","local"}]}.
  virtual boost::json::object upcoming(const std::string& task_id, const Params& query) = 0;
  /// POST /api/v1/schedules/preview -> {"timezone","runs":[{"at","local"}]}.
  virtual boost::json::object preview(const boost::json::object& body) = 0;
  /// POST /api/v1/tasks/bulk -> {"action","matched","changed","results":[...]}.
  virtual boost::json::object bulk(const boost::json::object& body) = 0;
  /// GET /api/v1/tasks/{id}/completions?limit= -> array of {"due_date","completed_at"}.
  virtual boost::json::array completions(const std::string& task_id, const Params& query) = 0;
  /// Applies the database migrations (local only) and returns a one-line description.
  virtual std::string migrate() = 0;
};

/// The backend chosen by the global options: remote when --server/TASK_SERVER is set, else local.
std::unique_ptr<Backend> make_backend(const GlobalOptions& options);

/// RemoteBackend over cpp-httplib (remote_backend.cpp).
std::unique_ptr<Backend> make_remote_backend(const GlobalOptions& options);

/// LocalBackend over task::runtime (local_backend.cpp).
std::unique_ptr<Backend> make_local_backend(const GlobalOptions& options);

}  // namespace task::cli
