#include "error_body.hpp"

#include <new>
#include <optional>
#include <utility>

#include "task/rules/error_table.hpp"

namespace task::capi {

namespace {

/// The codes that stand for a kind of error_table.hpp (unreadable has none of its own: a damaged
/// row answers TASK_ERR_INTERNAL, the body says which).
constexpr std::pair<task_code, ErrorKind> kCodes[] = {
    {TASK_ERR_NOT_FOUND, ErrorKind::not_found},
    {TASK_ERR_VALIDATION, ErrorKind::validation},
    {TASK_ERR_PERMISSION, ErrorKind::permission},
    {TASK_ERR_UPGRADE_REQUIRED, ErrorKind::upgrade_required},
    {TASK_ERR_CONFLICT, ErrorKind::conflict},
    {TASK_ERR_PRECONDITION, ErrorKind::precondition},
    {TASK_ERR_QUOTA, ErrorKind::quota},
    {TASK_ERR_UNAVAILABLE, ErrorKind::unavailable},
    {TASK_ERR_INTERNAL, ErrorKind::internal},
};

task_code code_of(ErrorKind kind) noexcept {
  for (const auto& [code, k] : kCodes)
    if (k == kind) return code;
  return TASK_ERR_INTERNAL;
}

/// The kind a code stands for; nullopt for TASK_OK, TASK_ERR_INVALID_ARGUMENT (misuse of the
/// ABI itself: not a row of the table) and values outside the enum.
std::optional<ErrorKind> kind_of(task_code code) noexcept {
  for (const auto& [c, kind] : kCodes)
    if (c == code) return kind;
  return std::nullopt;
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
  if (code == TASK_OK) return "ok";
  if (code == TASK_ERR_INVALID_ARGUMENT) return "invalid_argument";
  const auto kind = kind_of(code);
  return kind ? error_kind_name(*kind) : "unknown";
}

int http_status(task_code code) noexcept {
  if (code == TASK_OK) return 200;
  if (code == TASK_ERR_INVALID_ARGUMENT) return 400;
  return http_status_of(kind_of(code).value_or(ErrorKind::internal));
}

}  // namespace task::capi
