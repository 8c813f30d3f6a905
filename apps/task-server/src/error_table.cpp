#include "error_table.hpp"

#include <algorithm>

#include "task/core/errors.hpp"

namespace task::server {

namespace json = boost::json;

namespace {

json::object validation_errors(const ValidationError& e) {
  json::array detail;
  for (const auto& f : e.errors) {
    json::array loc;
    for (const auto& part : f.loc)
      loc.emplace_back(part);
    detail.emplace_back(json::object{{"loc", std::move(loc)}, {"msg", f.msg}, {"type", f.type}});
  }
  return {{"detail", std::move(detail)}};
}

json::object not_found(const NotFound& e) {
  if (e.resource == "template") return {{"detail", "Template not found"}, {"template_id", e.id}};
  if (e.resource == "execution") return {{"detail", "Execution not found"}, {"execution_id", e.id}};
  return {{"detail", "Task not found"}, {"task_id", e.id}};
}

ErrorReply reply(int status, json::object body) {
  ErrorReply r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

int seconds_to_utc_midnight(std::chrono::system_clock::time_point now) {
  const auto next = std::chrono::floor<std::chrono::days>(now) + std::chrono::days{1};
  const auto left = std::chrono::ceil<std::chrono::seconds>(next - now).count();
  return static_cast<int>(std::max<long long>(left, 1));
}

}  // namespace

ErrorReply map_error(std::exception_ptr error, std::chrono::system_clock::time_point now) {
  try {
    std::rethrow_exception(error);
  } catch (const NotFound& e) {
    return reply(404, not_found(e));
  } catch (const ValidationError& e) {
    return reply(422, validation_errors(e));
  } catch (const UpgradeRequired& e) {
    return reply(
        403, {{"detail", "Subscription upgrade required"}, {"required_level", e.required_level}});
  } catch (const PermissionDenied& e) {
    return reply(403, {{"detail", "Permission denied"}, {"action", e.action}});
  } catch (const Conflict& e) {
    return reply(409, {{"detail", "Invalid status transition"}, {"from", e.from}, {"to", e.to}});
  } catch (const PreconditionFailed& e) {
    return reply(412, {{"detail", "Precondition failed"}, {"etag", e.current_etag}});
  } catch (const LimitExceeded& e) {
    auto r = reply(
        429, {{"detail", "Task limit exceeded"}, {"limit_type", e.limit_type}, {"limit", e.limit}});
    r.retry_after = e.limit_type == "executions_per_day" ? seconds_to_utc_midnight(now)
                                                         : kDefaultRetryAfterSeconds;
    return r;
  } catch (const Unreadable& e) {
    // One damaged row: this request fails, clearly and logged; lists skip the row.
    json::object body{{"detail", "Stored data cannot be read"},
                      {"error_code", "STORED_DATA_UNREADABLE"}};
    body[e.table == "task_executions" ? "execution_id" : "task_id"] = e.id;
    return {500, std::move(body), true, e.what()};
  } catch (const Unavailable& e) {
    return {503, {{"detail", "Service unavailable"}}, false, e.what()};
  } catch (const std::exception& e) {
    return {500, {{"detail", "Internal server error"}}, true, e.what()};
  } catch (...) {
    return {500, {{"detail", "Internal server error"}}, true, "non-standard exception"};
  }
}

json::object validation_body(const std::string& loc0, const std::string& loc1,
                             const std::string& msg, const std::string& type) {
  json::array loc{json::value(loc0)};
  if (!loc1.empty()) loc.emplace_back(loc1);
  return {{"detail", json::array{json::object{{"loc", loc}, {"msg", msg}, {"type", type}}}}};
}

}  // namespace task::server
