#pragma once
/// HTTP replies from libtask's error table (task/rules/error_table.hpp: the core's error hierarchy
/// -> status and JSON body, docs/api.md §5, shared with the C ABI), plus what only HTTP has: the
/// log text and `Retry-After`. Everything not in the table is a 500 that leaks no internals.
#include <boost/json/object.hpp>
#include <chrono>
#include <exception>
#include <string>

namespace task::server {

/// An HTTP status with its JSON body.
struct ErrorReply {
  int status = 500;
  boost::json::object body;
  bool internal = false;  ///< an unexpected failure: log the exception text with the request id
  std::string log_text;   ///< what to log (never sent to the client)
  int retry_after = 0;    ///< seconds for `Retry-After` (every 429); 0 = no header
};

/// `Retry-After` of a 429 that names no better time: the task quota frees only when the caller
/// deletes tasks or changes level, so this is a nominal pause for automatic retries.
inline constexpr int kDefaultRetryAfterSeconds = 60;

/// Maps an exception to its reply (the error table). `now` dates `Retry-After` of the daily
/// execution quota (seconds until the next UTC midnight).
ErrorReply map_error(std::exception_ptr error,
                     std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

/// The body of a 422 for one problem at `loc` (e.g. {"query","limit"}).
boost::json::object validation_body(const std::string& loc0, const std::string& loc1,
                                    const std::string& msg, const std::string& type);

}  // namespace task::server
