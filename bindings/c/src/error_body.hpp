#pragma once
// The C ABI's view of libtask's error table (task/rules/error_table.hpp, the rows task-server
// answers with): each core error -> a task_code, its message and the HTTP API's JSON body.
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
