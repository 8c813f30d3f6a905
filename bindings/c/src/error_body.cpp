#include "error_body.hpp"

#include <new>
#include <utility>

#include "task/rules/error_table.hpp"

namespace task::capi {

namespace {

task_code code_of(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::not_found:
      return TASK_ERR_NOT_FOUND;
    case ErrorKind::validation:
      return TASK_ERR_VALIDATION;
    case ErrorKind::permission:
      return TASK_ERR_PERMISSION;
    case ErrorKind::upgrade_required:
      return TASK_ERR_UPGRADE_REQUIRED;
    case ErrorKind::conflict:
      return TASK_ERR_CONFLICT;
    case ErrorKind::precondition:
      return TASK_ERR_PRECONDITION;
    case ErrorKind::quota:
      return TASK_ERR_QUOTA;
    case ErrorKind::unavailable:
      return TASK_ERR_UNAVAILABLE;
    case ErrorKind::unreadable:  // a damaged row: no code of its own; the body says which
    case ErrorKind::internal:
      return TASK_ERR_INTERNAL;
  }
  return TASK_ERR_INTERNAL;
}

}  // namespace

ErrorInfo describe(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::bad_alloc&) {
    throw;  // the caller answers with the code alone
  } catch (...) {
  }
  // The rows are libtask's (task/rules/error_table.hpp), the ones task-server answers with.
  // Unlike the HTTP API (which logs the cause), a library caller gets the cause in `message`.
  auto row = error_row(std::move(error));
  return {code_of(row.kind), std::move(row.message), std::move(row.body)};
}

const char* code_name(task_code code) noexcept {
  switch (code) {
    case TASK_OK:
      return "ok";
    case TASK_ERR_NOT_FOUND:
      return "not_found";
    case TASK_ERR_VALIDATION:
      return "validation";
    case TASK_ERR_PERMISSION:
      return "permission";
    case TASK_ERR_UPGRADE_REQUIRED:
      return "upgrade_required";
    case TASK_ERR_CONFLICT:
      return "conflict";
    case TASK_ERR_PRECONDITION:
      return "precondition";
    case TASK_ERR_QUOTA:
      return "quota";
    case TASK_ERR_UNAVAILABLE:
      return "unavailable";
    case TASK_ERR_INTERNAL:
      return "internal";
    case TASK_ERR_INVALID_ARGUMENT:
      return "invalid_argument";
  }
  return "unknown";
}

int http_status(task_code code) noexcept {
  switch (code) {
    case TASK_OK:
      return 200;
    case TASK_ERR_INVALID_ARGUMENT:  // misuse of the ABI itself: not a row of the table
      return 400;
    case TASK_ERR_NOT_FOUND:
      return http_status_of(ErrorKind::not_found);
    case TASK_ERR_VALIDATION:
      return http_status_of(ErrorKind::validation);
    case TASK_ERR_PERMISSION:
      return http_status_of(ErrorKind::permission);
    case TASK_ERR_UPGRADE_REQUIRED:
      return http_status_of(ErrorKind::upgrade_required);
    case TASK_ERR_CONFLICT:
      return http_status_of(ErrorKind::conflict);
    case TASK_ERR_PRECONDITION:
      return http_status_of(ErrorKind::precondition);
    case TASK_ERR_QUOTA:
      return http_status_of(ErrorKind::quota);
    case TASK_ERR_UNAVAILABLE:
      return http_status_of(ErrorKind::unavailable);
    case TASK_ERR_INTERNAL:
      return http_status_of(ErrorKind::internal);
  }
  return http_status_of(ErrorKind::internal);
}

}  // namespace task::capi
