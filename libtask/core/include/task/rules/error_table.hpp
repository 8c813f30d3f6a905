#pragma once
/// The one error table (docs/api.md "Errors"): each error of the core's hierarchy
/// (task/core/errors.hpp) -> a stable kind, the HTTP status and the JSON body the API answers
/// with. task-server replies with it; the C ABI (bindings/c) turns the kind into its task_code
/// and returns the same body.
///
/// Ownership: an ErrorRow is a plain value that owns its strings and body. Thread-safety: the
/// functions are pure (no shared state) and safe to call from any number of threads.
#include <boost/json/object.hpp>
#include <cstdint>
#include <exception>
#include <string>

namespace task {

/// The kinds of error a caller can tell apart (the rows of the table).
enum class ErrorKind {
  not_found,         ///< 404 NotFound
  validation,        ///< 422 ValidationError (the body lists every field)
  permission,        ///< 403 PermissionDenied
  upgrade_required,  ///< 403 UpgradeRequired
  conflict,          ///< 409 Conflict
  precondition,      ///< 412 PreconditionFailed
  quota,             ///< 429 LimitExceeded
  unreadable,        ///< 500 Unreadable (one stored row cannot be decoded)
  unavailable,       ///< 503 Unavailable
  internal,          ///< 500 anything else (a bug)
};

/// One translated error.
struct ErrorRow {
  ErrorKind kind = ErrorKind::internal;
  int http_status = 500;
  boost::json::object body;  ///< the API's JSON body; never holds internals
  /// The exception's what() ("non-standard exception" for a non-std one). For unavailable,
  /// unreadable and internal it may name internals: log it, never send it to an HTTP client.
  std::string message;
  std::string limit_type;  ///< quota only: "tasks" or "executions_per_day"
  std::int64_t limit = 0;  ///< quota only
};

/// Translates the exception `error` (must not be null), whatever its type (std::bad_alloc is an
/// `internal` row like any other std::exception). Never rethrows it; may throw std::bad_alloc.
ErrorRow error_row(std::exception_ptr error);

/// "not_found", "validation", "permission", "upgrade_required", "conflict", "precondition",
/// "quota", "unreadable", "unavailable", "internal" (static strings).
const char* error_kind_name(ErrorKind kind) noexcept;

/// The HTTP status of a kind (the same as ErrorRow::http_status).
int http_status_of(ErrorKind kind) noexcept;

}  // namespace task
