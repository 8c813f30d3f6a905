#pragma once
// The error table of the C ABI: each core error -> a task_code, a one-line message and the JSON
// body the HTTP API answers with (docs/api.md "Errors"; the same rows as task-server's table).
#include <boost/json/object.hpp>
#include <exception>
#include <string>

#include "task/task.h"

namespace task::capi {

/// One translated error.
struct ErrorInfo {
  task_code code = TASK_ERR_INTERNAL;
  std::string message;
  boost::json::object detail;
};

/// Translates the exception `error` (which must not be null). Never rethrows it; may throw
/// std::bad_alloc.
ErrorInfo describe(std::exception_ptr error);

/// "not_found", "validation", ... (static strings).
const char* code_name(task_code code) noexcept;

/// The HTTP status a code mirrors.
int http_status(task_code code) noexcept;

}  // namespace task::capi
