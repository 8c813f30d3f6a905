#pragma once
/// Exit codes of task-cli and the one mapping from errors (core error hierarchy in local mode,
/// HTTP status in remote mode) to an exit code and a one-line message.
#include <boost/json/value.hpp>
#include <exception>
#include <stdexcept>
#include <string>

namespace task::cli {

/// Documented exit codes (`task-cli --help`, docs/cli.md).
enum ExitCode : int {
  kOk = 0,
  kFailure = 1,      ///< anything else (internal error, unexpected HTTP status)
  kUsage = 2,        ///< bad command line, or a command that this mode cannot do
  kValidation = 3,   ///< 422 / ValidationError
  kNotFound = 4,     ///< 404 / NotFound
  kConflict = 5,     ///< 409, 412 / Conflict, PreconditionFailed
  kQuota = 6,        ///< 429 / LimitExceeded
  kUnavailable = 7,  ///< 503, connection refused, timeout / Unavailable
  kDenied = 8,       ///< 401, 403 / PermissionDenied, UpgradeRequired
};

/// The footer of `task-cli --help`.
extern const char* const kExitCodeHelp;

/// A bad command line detected after parsing (e.g. `--every 15x`); exit code 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A non-success HTTP answer from the server: status and parsed body (null when not JSON).
class RemoteError : public std::runtime_error {
 public:
  RemoteError(int status, boost::json::value body, std::string fallback)
      : std::runtime_error(std::move(fallback)), status(status), body(std::move(body)) {}
  int status;
  boost::json::value body;
};

/// The server could not be reached (connection refused, timeout, ...); exit code 7.
class ConnectionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Any error with an explicit exit code (e.g. an import of a task that already exists: 5).
class CliError : public std::runtime_error {
 public:
  CliError(int exit_code, const std::string& message)
      : std::runtime_error(message), exit_code(exit_code) {}
  int exit_code;
};

/// An exit code and the message printed after `task-cli: error: `.
struct ErrorReport {
  int exit_code = kFailure;
  std::string message;
};

/// Maps the exception in flight (or `e`) to an exit code and a single-line message.
ErrorReport describe_error(const std::exception_ptr& e);

/// The exit code of an HTTP status (422->3, 404->4, 409/412->5, 429->6, 503->7, 401/403->8).
int exit_code_for_status(int status);

}  // namespace task::cli
