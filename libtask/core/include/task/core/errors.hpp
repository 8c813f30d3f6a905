#pragma once
/// The one small error hierarchy of the service layer. Each kind maps to one HTTP status (in
/// task-server's error table) and one exit code (in task-cli). Expected outcomes, such as a failed
/// run, are values, not exceptions.
///
/// Ownership: exceptions are values that own their fields (strings and vectors are copies).
/// Thread-safety: an exception object is not shared between threads by this library; copies may be
/// read from any thread.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace task {

/// Base of every error the service layer throws on purpose.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A task, template or execution that is missing, deleted or not the caller's (404).
class NotFound : public Error {
 public:
  /// `resource` is "task", "template" or "execution"; `id` is what was looked up.
  NotFound(std::string resource, std::string id)
      : Error(resource + " not found: " + id), resource(std::move(resource)), id(std::move(id)) {}
  std::string resource;
  std::string id;
};

/// One invalid input: where (`loc`, e.g. {"body","schedule","expression"}), what, and a type code
/// (`missing`, `string_type`, `value_error`, `json_invalid`, ...).
struct FieldError {
  std::vector<std::string> loc;
  std::string msg;
  std::string type = "value_error";
};

/// Invalid body, query or configuration (422), with every problem found.
class ValidationError : public Error {
 public:
  explicit ValidationError(std::vector<FieldError> errors)
      : Error(summary(errors)), errors(std::move(errors)) {}
  ValidationError(std::vector<std::string> loc, std::string msg, std::string type = "value_error")
      : ValidationError(
            std::vector<FieldError>{{std::move(loc), std::move(msg), std::move(type)}}) {}
  std::vector<FieldError> errors;

 private:
  static std::string summary(const std::vector<FieldError>& errors) {
    std::string s;
    for (const auto& e : errors) {
      if (!s.empty()) s += "; ";
      for (std::size_t i = 0; i < e.loc.size(); ++i)
        s += (i ? "." : "") + e.loc[i];
      s += ": " + e.msg;
    }
    return s.empty() ? "validation error" : s;
  }
};

/// The caller may not do this (403 `Permission denied`), e.g. a non-internal caller of the
/// scheduler API or a wrong internal secret.
class PermissionDenied : public Error {
 public:
  explicit PermissionDenied(std::string action)
      : Error("permission denied: " + action), action(std::move(action)) {}
  std::string action;
};

/// A template above the caller's subscription level (403 `Subscription upgrade required`).
class UpgradeRequired : public Error {
 public:
  explicit UpgradeRequired(std::string required_level)
      : Error("subscription upgrade required: " + required_level),
        required_level(std::move(required_level)) {}
  std::string required_level;
};

/// An invalid status transition, or a run while one is active (409).
class Conflict : public Error {
 public:
  Conflict(std::string from, std::string to)
      : Error("invalid status transition: " + from + " -> " + to),
        from(std::move(from)),
        to(std::move(to)) {}
  std::string from;
  std::string to;
};

/// `If-Match` did not match the task's current version (412).
class PreconditionFailed : public Error {
 public:
  explicit PreconditionFailed(std::string current_etag)
      : Error("precondition failed"), current_etag(std::move(current_etag)) {}
  std::string current_etag;
};

/// A task or daily-execution quota is used up (429). `limit_type` is "tasks" or
/// "executions_per_day".
class LimitExceeded : public Error {
 public:
  LimitExceeded(std::string limit_type, std::int64_t limit)
      : Error("limit exceeded: " + limit_type), limit_type(std::move(limit_type)), limit(limit) {}
  std::string limit_type;
  std::int64_t limit;
};

/// A stored row that cannot be decoded (e.g. a JSON column no parser reads). Reads of that one
/// row throw it (500 with `error_code` STORED_DATA_UNREADABLE); listings and scheduler rounds
/// skip the row instead, count it and report it (TaskRepository::set_unreadable_row_hook).
class Unreadable : public Error {
 public:
  Unreadable(std::string table, std::string id, std::string reason)
      : Error("stored " + table + " row " + id + " cannot be read: " + reason),
        table(std::move(table)),
        id(std::move(id)),
        reason(std::move(reason)) {}
  std::string table;   ///< "user_tasks", "task_executions", ...
  std::string id;      ///< task_id / execution_id / template_id of the row
  std::string reason;  ///< what the decoder said
};

/// Storage (or another required dependency) cannot be reached (503). `what` is for logs only.
class Unavailable : public Error {
 public:
  using Error::Error;
};

}  // namespace task
