#include "error_table.hpp"

#include <algorithm>
#include <boost/json/array.hpp>
#include <utility>

#include "task/rules/error_table.hpp"

namespace task::server {

namespace json = boost::json;

namespace {

int seconds_to_utc_midnight(std::chrono::system_clock::time_point now) {
  const auto next = std::chrono::floor<std::chrono::days>(now) + std::chrono::days{1};
  const auto left = std::chrono::ceil<std::chrono::seconds>(next - now).count();
  return static_cast<int>(std::max<long long>(left, 1));
}

}  // namespace

ErrorReply map_error(std::exception_ptr error, std::chrono::system_clock::time_point now) {
  // The rows themselves are libtask's (task/rules/error_table.hpp), shared with the C ABI; this
  // adds what only HTTP has: what to log and Retry-After.
  auto row = error_row(std::move(error));
  ErrorReply r;
  r.status = row.http_status;
  r.body = std::move(row.body);
  switch (row.kind) {
    case ErrorKind::quota:
      r.retry_after = row.limit_type == "executions_per_day" ? seconds_to_utc_midnight(now)
                                                             : kDefaultRetryAfterSeconds;
      break;
    case ErrorKind::unavailable:  // logged, but expected: no stack of internals
      r.log_text = std::move(row.message);
      break;
    case ErrorKind::unreadable:
    case ErrorKind::internal:
      r.internal = true;
      r.log_text = std::move(row.message);
      break;
    default:
      break;
  }
  return r;
}

json::object validation_body(const std::string& loc0, const std::string& loc1,
                             const std::string& msg, const std::string& type) {
  json::array loc{json::value(loc0)};
  if (!loc1.empty()) loc.emplace_back(loc1);
  return {{"detail", json::array{json::object{{"loc", loc}, {"msg", msg}, {"type", type}}}}};
}

}  // namespace task::server
