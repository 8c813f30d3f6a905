// LocalBackend: the TaskService of this process over a local database, wired by task::runtime
// (the same composition root as task-server, with the scheduler off).
#include <boost/json.hpp>
#include <filesystem>
#include <functional>
#include <map>

#include "backend.hpp"
#include "exit_codes.hpp"
#include "task/clients/fingerprint.hpp"
#include "task/codec/json_codec.hpp"
#include "task/codec/json_numbers.hpp"
#include "task/core/errors.hpp"
#include "task/rules/recurrence.hpp"
#include "task/rules/requests.hpp"
#include "task/rules/upcoming.hpp"
#include "task/runtime/runtime.hpp"
#include "task/service/bulk.hpp"
#include "task/service/idempotency.hpp"
#include "task/store/store.hpp"

namespace json = boost::json;

namespace task::cli {

namespace {

/// The configuration of local mode: --db / --data-dir over the environment (as task-server
/// reads it), scheduler off, no event relay (events stay in the outbox for task-server to relay).
runtime::Config local_config(const GlobalOptions& o) {
  // The CLI's stderr is for its one-line errors: the runtime logs only warnings unless LOG_LEVEL
  // asks for more.
  std::map<std::string, std::string> flags{{"scheduler", "off"}};
  if (!runtime::process_env("LOG_LEVEL")) flags["log-level"] = "warn";
  if (!o.db.empty()) flags["database-url"] = o.db;
  if (!o.data_dir.empty()) flags["data-dir"] = o.data_dir;
  try {
    auto config = runtime::resolve_config(flags, runtime::process_env);
    config.relay_events = false;
    return config;
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
}

json::object object_of(json::value v) {
  return std::move(v.as_object());
}

class LocalBackend final : public Backend {
 public:
  explicit LocalBackend(const GlobalOptions& o) : config_(local_config(o)) {
    if (config_.database_url == "sqlite://" + config_.data_dir + "/tasks.db") {
      std::error_code ec;  // the default database: create its directory like task-server does
      std::filesystem::create_directories(config_.data_dir, ec);
    }
    try {
      runtime_ = std::make_unique<runtime::Runtime>(config_);
    } catch (const Error&) {
      throw;
    } catch (const std::invalid_argument& e) {
      throw UsageError(std::string("--db: ") + e.what());
    } catch (const std::exception& e) {
      throw Unavailable(e.what());
    }
    caller_.user_id = o.user;
    caller_.level = runtime_->service().resolve_level(o.user);
    key_ = o.idempotency_key;
    guard_ = std::make_unique<IdempotencyGuard>(runtime_->repository(), runtime_->clock());
  }
  ~LocalBackend() override {
    if (runtime_) runtime_->shutdown();
  }

  json::object create_task(const json::object& body) override {
    return keyed(
               "/api/v1/tasks", body, 201,
               [&] { return json::value_from(service().create_task(caller_, json::value(body))); })
        .value;
  }
  json::object list_tasks(const Params& query) override {
    return json::value_from(service().list_tasks(caller_, query)).as_object();
  }
  json::object get_task(const std::string& id) override {
    return object_of(json::value_from(service().get_task(caller_, id)));
  }
  json::object update_task(const std::string& id, const json::object& body) override {
    return object_of(json::value_from(service().update_task(caller_, id, json::value(body)).task));
  }
  json::object delete_task(const std::string& id) override {
    const auto t = service().delete_task(caller_, id);
    return {{"message", "Task deleted successfully"}, {"task_id", t.task_id}};
  }
  RunResult execute_task(const std::string& id, const json::object& body, int) override {
    auto answer = keyed("/api/v1/tasks/" + id + "/execute", body, 200, [&] {
      // Both halves on this thread: the command waits for the outcome anyway.
      return json::value_from(run_here(id, json::value(body)).execution);
    });
    // A replay of a run first started through a server may be its 202 (still running then).
    return {std::move(answer.value), answer.status == 200};
  }
  json::object bulk(const json::object& body) override {
    return keyed("/api/v1/tasks/bulk", body, 200,
                 [&] {
                   const auto request = parse_bulk_request(json::value(body));
                   return json::value(
                       run_bulk(service(), caller_, request, [&](const std::string& id) {
                         auto run = run_here(id, json::value(nullptr));
                         // The task and run as they ended (a server reports them as queued).
                         return StartedRun{std::move(run.task), std::move(run.execution), {}};
                       }).body);
                 })
        .value;
  }
  std::pair<json::array, std::int64_t> list_executions(const std::string& id,
                                                       const Params& query) override {
    auto list = service().list_executions(caller_, id, query);
    json::array items;
    for (const auto& e : list.executions)
      items.push_back(json::value_from(e));
    return {std::move(items), list.total};
  }
  json::array list_templates(const Params& query) override {
    json::array items;
    for (const auto& t : service().list_templates(caller_, query))
      items.push_back(json::value_from(t));
    return items;
  }
  json::object create_from_template(const json::object& body) override {
    return keyed("/api/v1/tasks/from-template", body, 201,
                 [&] {
                   return json::value_from(
                       service().create_from_template(caller_, json::value(body)));
                 })
        .value;
  }
  json::object analytics(const Params& query) override {
    return object_of(json::value_from(service().analytics(caller_, query)));
  }
  // The same rules as task-server's routes (task/rules/upcoming.hpp, recurrence.hpp).
  json::object upcoming(const std::string& id, const Params& query) override {
    std::optional<json::value> count;
    if (const auto* v = query_value(query, "count")) count = json::value(*v);
    const auto n = upcoming_count(count ? &*count : nullptr, {"query", "count"});
    const auto t = service().get_task(caller_, id);
    return upcoming_json(upcoming_of(t, runtime_->clock().now(), n), t.task_id);
  }
  json::object preview(const json::object& body) override {
    return upcoming_json(preview_of(json::value(body), runtime_->clock().now()));
  }
  json::array completions(const std::string& id, const Params& query) override {
    json::array out;
    const int limit = parse_int_param(query, "limit", 1, 1000, 100);
    for (const auto& c : service().list_completions(caller_, id, limit))
      out.push_back(completion_json(c));
    return out;
  }

  void import_record(const TaskRecord& record) override {
    Task task = json::value_to<Task>(json::value(record.task));
    if (runtime_->repository().find_task(task.task_id))
      throw CliError(kConflict, "import: task " + task.task_id + " already exists");
    std::vector<Execution> executions;
    for (const auto& e : record.executions) {
      Execution x = json::value_to<Execution>(e);
      if (x.task_id != task.task_id)
        throw CliError(kValidation, "import: execution " + x.execution_id +
                                        " does not belong to task " + task.task_id);
      executions.push_back(std::move(x));
    }
    // The rows exactly as exported, row ids included; the task with its executions is atomic.
    try {
      runtime_->repository().restore(task, executions);
    } catch (const Conflict&) {
      throw CliError(kConflict, "import: task " + task.task_id +
                                    ": a row id or execution of it is already stored");
    } catch (const std::invalid_argument& e) {
      throw CliError(kValidation, "import: task " + task.task_id + ": " + e.what());
    }
  }

  std::string migrate() override {
    if (runtime_->database_kind() == "memory")
      throw UsageError("db migrate: memory: has no schema");
    std::string versions;
    for (int v : store::applied_migrations(config_.database_url))
      versions += (versions.empty() ? "" : ", ") + std::to_string(v);
    return runtime_->database_kind() +
           " database is up to date; migrations applied: " + (versions.empty() ? "none" : versions);
  }

 private:
  TaskService& service() { return runtime_->service(); }

  /// A manual run started and finished on this thread, with the execution row as stored
  /// (FinishedRun carries id 0: the repository numbers the row).
  FinishedRun run_here(const std::string& id, const json::value& body) {
    auto started = service().start_execution(caller_, id, body);
    auto finished = service().finish_execution(started);
    if (auto stored = runtime_->repository().find_execution(finished.execution.execution_id))
      finished.execution = std::move(*stored);
    return finished;
  }

  struct Answer {
    int status = 0;
    json::object value;
  };

  /// Runs `op` (the answer of a keyed POST to `path` with `body`, HTTP status `status`) under
  /// --idempotency-key when given: the rules and records of task-server's `Idempotency-Key`
  /// (the same fingerprint of method, path and body text), so a repeated command replays.
  Answer keyed(const std::string& path, const json::object& body, int status,
               const std::function<json::value()>& op) {
    if (!key_) return {status, object_of(op())};
    const auto result = guard_->run(
        caller_.user_id, *key_, clients::request_fingerprint("POST", path, to_json_text(body)),
        std::chrono::milliseconds(0), {"--idempotency-key"}, [&] {
          return KeyedResponse{status, to_json_text(op()),
                               R"({"Content-Type":"application/json"})"};
        });
    if (result.outcome == KeyedOutcome::in_progress)
      throw CliError(kConflict,
                     "a request with this --idempotency-key is still being processed; retry");
    boost::system::error_code ec;
    auto v = parse_json(result.response.body, ec, kMaxStoredJsonDepth + 4);
    if (ec || !v.is_object())
      throw std::runtime_error(
          "the stored response of this --idempotency-key is not a JSON object");
    return {result.response.status, std::move(v.as_object())};
  }

  runtime::Config config_;
  std::unique_ptr<runtime::Runtime> runtime_;
  Caller caller_;
  std::optional<std::string> key_;
  std::unique_ptr<IdempotencyGuard> guard_;
};

/// Opens the real backend on first use, so that usage errors in a command's own arguments are
/// reported (exit 2) before a database is opened or created.
class LazyBackend final : public Backend {
 public:
  explicit LazyBackend(std::function<std::unique_ptr<Backend>()> open) : open_(std::move(open)) {}

  json::object create_task(const json::object& b) override { return get().create_task(b); }
  json::object list_tasks(const Params& q) override { return get().list_tasks(q); }
  json::object get_task(const std::string& id) override { return get().get_task(id); }
  json::object update_task(const std::string& id, const json::object& b) override {
    return get().update_task(id, b);
  }
  json::object delete_task(const std::string& id) override { return get().delete_task(id); }
  RunResult execute_task(const std::string& id, const json::object& b, int wait_ms) override {
    return get().execute_task(id, b, wait_ms);
  }
  std::pair<json::array, std::int64_t> list_executions(const std::string& id,
                                                       const Params& q) override {
    return get().list_executions(id, q);
  }
  json::array list_templates(const Params& q) override { return get().list_templates(q); }
  json::object create_from_template(const json::object& b) override {
    return get().create_from_template(b);
  }
  json::object analytics(const Params& q) override { return get().analytics(q); }
  json::object upcoming(const std::string& id, const Params& q) override {
    return get().upcoming(id, q);
  }
  json::object preview(const json::object& b) override { return get().preview(b); }
  json::array completions(const std::string& id, const Params& q) override {
    return get().completions(id, q);
  }
  json::object bulk(const json::object& b) override { return get().bulk(b); }
  void import_record(const TaskRecord& r) override { get().import_record(r); }
  void begin_import() override { get().begin_import(); }
  std::string migrate() override { return get().migrate(); }

 private:
  Backend& get() {
    if (!backend_) backend_ = open_();
    return *backend_;
  }
  std::function<std::unique_ptr<Backend>()> open_;
  std::unique_ptr<Backend> backend_;
};

}  // namespace

std::unique_ptr<Backend> make_local_backend(const GlobalOptions& options) {
  return std::make_unique<LocalBackend>(options);
}

std::unique_ptr<Backend> make_backend(const GlobalOptions& options) {
  if (!options.server.empty() && !options.db.empty())
    throw UsageError("use either --db (local) or --server (remote), not both");
  if (!options.server.empty()) return make_remote_backend(options);
  return std::make_unique<LazyBackend>([options] { return make_local_backend(options); });
}

}  // namespace task::cli
