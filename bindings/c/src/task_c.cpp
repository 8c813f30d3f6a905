// The C ABI (<task/task.h>) over task::runtime: a Runtime built from the URL and settings, its
// TaskService and Scheduler. This file only translates: JSON text <-> the core's types, the
// error hierarchy -> task_code + the HTTP error body. Every entry point is noexcept and catches
// everything (guarded()), so no exception reaches a C caller.
#include "task/task.h"

#include <boost/json/parse.hpp>
#include <boost/json/value_from.hpp>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "error_body.hpp"
#include "task/codec/json_codec.hpp"
#include "task/core/errors.hpp"
#include "task/core/time.hpp"
#include "task/rules/status.hpp"
#include "task/runtime/config.hpp"
#include "task/runtime/runtime.hpp"
#include "task/version.hpp"

namespace json = boost::json;

struct task_error {
  task_code code = TASK_ERR_INTERNAL;
  std::string message;
  std::string detail;
};

struct task_service {
  std::unique_ptr<task::runtime::Runtime> runtime;
  std::mutex scheduler_mutex;  ///< serializes start/stop of the background loop
};

namespace {

using task::capi::ErrorInfo;

/// Misuse of the ABI itself (a NULL where a value is needed).
struct InvalidArgument : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

void set_error(task_error** out, const ErrorInfo& info) noexcept {
  if (!out) return;
  try {
    *out = new task_error{info.code, info.message, task::to_json_text(info.detail)};
  } catch (...) {
    *out = nullptr;  // out of memory: the code alone is the answer
  }
}

/// Runs `body`; any exception becomes a code (and an error object when asked for).
template <class F>
task_code guarded(task_error** error, F&& body) noexcept {
  try {
    body();
    return TASK_OK;
  } catch (const InvalidArgument& e) {
    set_error(error, {TASK_ERR_INVALID_ARGUMENT, e.what(), json::object{{"detail", e.what()}}});
    return TASK_ERR_INVALID_ARGUMENT;
  } catch (...) {
    try {
      const auto info = task::capi::describe(std::current_exception());
      set_error(error, info);
      return info.code;
    } catch (...) {
      if (error) *error = nullptr;
      return TASK_ERR_INTERNAL;
    }
  }
}

char* copy_out(std::string_view s) {
  auto* p = static_cast<char*>(std::malloc(s.size() + 1));
  if (!p) throw std::bad_alloc();
  std::memcpy(p, s.data(), s.size());
  p[s.size()] = '\0';
  return p;
}

/// Checks the result out-parameter before any work is done and clears it (NULL on failure).
void reset(char** result) {
  if (!result) throw InvalidArgument("result must not be NULL");
  *result = nullptr;
}

void put(char** result, const json::value& v) {
  *result = copy_out(task::to_json_text(v));
}

/// A task as the HTTP API sends it, plus "etag" (the HTTP API's ETag header) for if_match.
json::value task_json(const task::Task& t) {
  auto v = json::value_from(t);
  v.as_object()["etag"] = task::etag_of(t);
  return v;
}

task::runtime::Runtime& runtime_of(task_service* s) {
  if (!s || !s->runtime) throw InvalidArgument("service must not be NULL");
  return *s->runtime;
}

/// A call that answers JSON: checks and clears `result`, then the handle, stores in `result` the
/// JSON `fn(runtime)` returns; any exception becomes the code (guarded).
template <class F>
task_code answered(task_service* service, char** result, task_error** error, F&& fn) noexcept {
  return guarded(error, [&] {
    reset(result);
    put(result, fn(runtime_of(service)));
  });
}

std::string_view required(const char* p, const char* what) {
  if (!p) throw InvalidArgument(std::string(what) + " must not be NULL");
  return p;
}

task::Caller caller_of(const char* user_id) {
  const auto id = required(user_id, "user_id");
  if (id.empty()) throw task::ValidationError({"user_id"}, "must not be empty", "missing");
  task::Caller c;
  c.user_id = std::string(id);  // its level is looked up by the operations that need it
  return c;
}

/// JSON text of a request body; malformed text is a 422 at loc ["body"] like the HTTP API.
json::value parse_body(const char* text, bool required_body) {
  if (!text) {
    if (required_body) throw task::ValidationError({"body"}, "Field required", "missing");
    return nullptr;
  }
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec)
    throw task::ValidationError({"body"}, "JSON decode error: " + ec.message(), "json_invalid");
  return v;
}

/// A JSON object of query parameters -> the HTTP API's (key, value) list.
task::QueryParams parse_query(const char* text) {
  task::QueryParams params;
  if (!text) return params;
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec)
    throw task::ValidationError({"query"}, "JSON decode error: " + ec.message(), "json_invalid");
  if (v.is_null()) return params;
  if (!v.is_object())
    throw task::ValidationError({"query"}, "Input should be an object", "dict_type");
  auto scalar = [](const std::string& key, const json::value& x) -> std::optional<std::string> {
    if (x.is_string()) return std::string(x.get_string());
    if (x.is_bool()) return x.get_bool() ? "true" : "false";
    if (x.is_int64() || x.is_uint64() || x.is_double()) return task::to_json_text(x);
    if (x.is_null()) return std::nullopt;
    throw task::ValidationError({"query", key}, "Input should be a string, number or boolean",
                                "value_error");
  };
  for (const auto& [k, x] : v.get_object()) {
    const std::string key(k);
    if (x.is_array()) {
      for (const auto& item : x.get_array())
        if (auto s = scalar(key, item)) params.emplace_back(key, *s);
    } else if (auto s = scalar(key, x)) {
      params.emplace_back(key, *s);
    }
  }
  return params;
}

/// The settings of task_service_open: defaults for a library (scheduler off, warnings only),
/// then the caller's JSON object; unknown keys and bad values are 422s at ["config", key].
task::runtime::Config make_config(const char* database_url, const char* config_json) {
  std::map<std::string, std::string> flags{{"scheduler", "off"}, {"log-level", "warn"}};
  if (config_json) {
    boost::system::error_code ec;
    auto v = json::parse(config_json, ec);
    if (ec)
      throw task::ValidationError({"config"}, "JSON decode error: " + ec.message(), "json_invalid");
    if (!v.is_null() && !v.is_object())
      throw task::ValidationError({"config"}, "Input should be an object", "dict_type");
    if (v.is_object()) {
      for (const auto& [k, x] : v.get_object()) {
        const std::string key(k);
        bool known = false;
        for (const auto& s : task::runtime::settings())
          known = known || s.key == key;
        if (!known || key == "database-url")
          throw task::ValidationError({"config", key},
                                      key == "database-url"
                                          ? "pass the database URL as the first argument"
                                          : "unknown setting (see task-server --help)",
                                      "extra_forbidden");
        if (x.is_string()) {
          flags[key] = std::string(x.get_string());
        } else if (x.is_bool()) {
          flags[key] = x.get_bool() ? "on" : "off";
        } else if (x.is_int64() || x.is_uint64()) {
          flags[key] = task::to_json_text(x);
        } else {
          throw task::ValidationError(
              {"config", key}, "Input should be a string, integer or boolean", "value_error");
        }
      }
    }
  }
  flags["database-url"] = std::string(required(database_url, "database_url"));
  try {
    return task::runtime::resolve_config(flags, [](const std::string&) {
      return std::optional<std::string>();  // the process environment is not read
    });
  } catch (const std::invalid_argument& e) {
    throw task::ValidationError({"config"}, e.what(), "value_error");
  }
}

/// task_create_task and task_create_from_template: a JSON body in, the created task out.
task_code created(task_service* service, const char* user_id, const char* body_json, char** result,
                  task_error** error,
                  task::Task (task::TaskService::*create)(const task::Caller&,
                                                          const json::value&)) noexcept {
  return answered(service, result, error, [&](task::runtime::Runtime& rt) -> json::value {
    const auto body = parse_body(body_json, true);
    auto task = (rt.service().*create)(caller_of(user_id), body);
    rt.after_write();
    return task_json(task);
  });
}

}  // namespace

extern "C" {

const char* task_version(void) noexcept {
  return TASK_VERSION_STRING;
}

const char* task_code_name(task_code code) noexcept {
  return task::capi::code_name(code);
}

int task_error_http_status(task_code code) noexcept {
  return task::capi::http_status(code);
}

task_code task_error_code(const task_error* error) noexcept {
  return error ? error->code : TASK_ERR_INTERNAL;
}

const char* task_error_message(const task_error* error) noexcept {
  return error ? error->message.c_str() : "";
}

const char* task_error_detail(const task_error* error) noexcept {
  return error ? error->detail.c_str() : "{}";
}

void task_error_free(task_error* error) noexcept {
  delete error;
}

void task_free(char* string) noexcept {
  std::free(string);
}

task_code task_service_open(const char* database_url, const char* config_json,
                            task_service** service, task_error** error) noexcept {
  return guarded(error, [&] {
    if (!service) throw InvalidArgument("service must not be NULL");
    *service = nullptr;
    auto config = make_config(database_url, config_json);
    auto handle = std::make_unique<task_service>();
    try {
      handle->runtime = std::make_unique<task::runtime::Runtime>(std::move(config));
    } catch (const task::Error&) {
      throw;
    } catch (const std::invalid_argument& e) {
      throw task::ValidationError({"database_url"}, e.what(), "value_error");
    } catch (const std::exception& e) {
      throw task::Unavailable(std::string("cannot open the database: ") + e.what());
    }
    *service = handle.release();
  });
}

void task_service_close(task_service* service) noexcept {
  if (!service) return;
  try {
    if (service->runtime) service->runtime->shutdown();
  } catch (...) {  // nothing can be reported from a close; the handle is freed regardless
  }
  delete service;
}

task_code task_create_task(task_service* service, const char* user_id, const char* body_json,
                           char** result, task_error** error) noexcept {
  return created(service, user_id, body_json, result, error, &task::TaskService::create_task);
}

task_code task_get_task(task_service* service, const char* user_id, const char* task_id,
                        char** result, task_error** error) noexcept {
  return answered(service, result, error, [&](task::runtime::Runtime& rt) -> json::value {
    const auto id = required(task_id, "task_id");
    return task_json(rt.service().get_task(caller_of(user_id), id));
  });
}

task_code task_list_tasks(task_service* service, const char* user_id, const char* query_json,
                          char** result, task_error** error) noexcept {
  return answered(service, result, error, [&](task::runtime::Runtime& rt) -> json::value {
    const auto query = parse_query(query_json);
    return json::value_from(rt.service().list_tasks(caller_of(user_id), query));
  });
}

task_code task_update_task(task_service* service, const char* user_id, const char* task_id,
                           const char* patch_json, const char* if_match, char** result,
                           task_error** error) noexcept {
  return answered(service, result, error, [&](task::runtime::Runtime& rt) -> json::value {
    const auto id = required(task_id, "task_id");
    const auto patch = parse_body(patch_json, true);
    std::optional<std::string> match;
    if (if_match) match = if_match;
    auto updated = rt.service().update_task(caller_of(user_id), id, patch, match);
    rt.after_write();
    return task_json(updated.task);
  });
}

task_code task_delete_task(task_service* service, const char* user_id, const char* task_id,
                           char** result, task_error** error) noexcept {
  return answered(service, result, error, [&](task::runtime::Runtime& rt) -> json::value {
    const auto id = required(task_id, "task_id");
    const auto deleted = rt.service().delete_task(caller_of(user_id), id);
    rt.after_write();
    return json::object{{"message", "Task deleted successfully"}, {"task_id", deleted.task_id}};
  });
}

task_code task_execute_task(task_service* service, const char* user_id, const char* task_id,
                            const char* body_json, char** result, task_error** error) noexcept {
  return answered(service, result, error, [&](task::runtime::Runtime& rt) -> json::value {
    const auto id = required(task_id, "task_id");
    const auto body = parse_body(body_json, false);
    auto started = rt.service().start_execution(caller_of(user_id), id, body);
    auto finished = rt.service().finish_execution(started);
    rt.after_write();
    // The row as stored (the repository numbers it).
    auto stored = rt.repository().find_execution(finished.execution.execution_id);
    return json::value_from(stored ? *stored : finished.execution);
  });
}

task_code task_get_executions(task_service* service, const char* user_id, const char* task_id,
                              const char* query_json, char** result, task_error** error) noexcept {
  return answered(service, result, error, [&](task::runtime::Runtime& rt) -> json::value {
    const auto id = required(task_id, "task_id");
    const auto query = parse_query(query_json);
    const auto list = rt.service().list_executions(caller_of(user_id), id, query);
    json::array items;
    for (const auto& e : list.executions)
      items.push_back(json::value_from(e));
    return json::object{{"executions", std::move(items)},
                        {"total", list.total},
                        {"limit", list.limit},
                        {"offset", list.offset}};
  });
}

task_code task_list_templates(task_service* service, const char* user_id, const char* query_json,
                              char** result, task_error** error) noexcept {
  return answered(service, result, error, [&](task::runtime::Runtime& rt) -> json::value {
    const auto query = parse_query(query_json);
    json::array items;
    for (const auto& t : rt.service().list_templates(caller_of(user_id), query))
      items.push_back(json::value_from(t));
    return items;
  });
}

task_code task_create_from_template(task_service* service, const char* user_id,
                                    const char* body_json, char** result,
                                    task_error** error) noexcept {
  return created(service, user_id, body_json, result, error,
                 &task::TaskService::create_from_template);
}

task_code task_get_analytics(task_service* service, const char* user_id, const char* query_json,
                             char** result, task_error** error) noexcept {
  return answered(service, result, error, [&](task::runtime::Runtime& rt) -> json::value {
    const auto query = parse_query(query_json);
    return json::value_from(rt.service().analytics(caller_of(user_id), query));
  });
}

task_code task_scheduler_step(task_service* service, const char* now, char** result,
                              task_error** error) noexcept {
  return guarded(error, [&] {
    auto& rt = runtime_of(service);
    auto* scheduler = rt.scheduler();
    if (!scheduler) throw task::Unavailable("the service is shutting down");
    task::Timestamp at = rt.clock().now();
    if (now) {
      auto parsed = task::parse_rfc3339(now);
      if (!parsed)
        throw task::ValidationError({"now"}, "Input should be an RFC 3339 timestamp",
                                    "datetime_parsing");
      at = *parsed;
    }
    if (result) *result = nullptr;
    const auto report = scheduler->step(at);
    if (result)
      put(result,
          json::object{
              {"claimed", report.claimed}, {"runs", report.runs}, {"reminders", report.reminders}});
  });
}

task_code task_scheduler_start(task_service* service, task_error** error) noexcept {
  return guarded(error, [&] {
    auto& rt = runtime_of(service);
    std::lock_guard lock(service->scheduler_mutex);
    if (!rt.scheduler()) throw task::Unavailable("the service is shutting down");
    rt.start_scheduler();
  });
}

task_code task_scheduler_stop(task_service* service, task_error** error) noexcept {
  return guarded(error, [&] {
    auto& rt = runtime_of(service);
    std::lock_guard lock(service->scheduler_mutex);
    rt.stop_scheduler();
  });
}

int task_scheduler_running(const task_service* service) noexcept {
  return service && service->runtime && service->runtime->scheduler_running() ? 1 : 0;
}

}  // extern "C"
