#pragma once
/// The one table from the core's error hierarchy (task/core/errors.hpp) to HTTP status and JSON
/// body (API.md §5). Everything not in the table is a 500 that leaks no internals.
#include <boost/json/object.hpp>
#include <exception>
#include <string>

namespace task::server {

/// An HTTP status with its JSON body.
struct ErrorReply {
  int status = 500;
  boost::json::object body;
  bool internal = false;  ///< an unexpected failure: log the exception text with the request id
  std::string log_text;   ///< what to log (never sent to the client)
};

/// Maps an exception to its reply (the error table).
ErrorReply map_error(std::exception_ptr error);

/// The body of a 422 for one problem at `loc` (e.g. {"query","limit"}).
boost::json::object validation_body(const std::string& loc0, const std::string& loc1,
                                    const std::string& msg, const std::string& type);

}  // namespace task::server
