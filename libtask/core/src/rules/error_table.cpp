#include "task/rules/error_table.hpp"

#include <boost/json/array.hpp>
#include <utility>

#include "task/core/errors.hpp"

namespace task {

namespace json = boost::json;

namespace {

json::object validation_detail(const ValidationError& e) {
  json::array detail;
  for (const auto& f : e.errors) {
    json::array loc;
    for (const auto& part : f.loc)
      loc.emplace_back(part);
    detail.emplace_back(json::object{{"loc", std::move(loc)}, {"msg", f.msg}, {"type", f.type}});
  }
  return {{"detail", std::move(detail)}};
}

json::object not_found_detail(const NotFound& e) {
  if (e.resource == "template") return {{"detail", "Template not found"}, {"template_id", e.id}};
  if (e.resource == "execution") return {{"detail", "Execution not found"}, {"execution_id", e.id}};
  return {{"detail", "Task not found"}, {"task_id", e.id}};
}

ErrorRow row(ErrorKind kind, const std::exception& e, json::object body) {
  ErrorRow r;
  r.kind = kind;
  r.http_status = http_status_of(kind);
  r.body = std::move(body);
  r.message = e.what();
  return r;
}

}  // namespace

ErrorRow error_row(std::exception_ptr error) {
  try {
    std::rethrow_exception(std::move(error));
  } catch (const NotFound& e) {
    return row(ErrorKind::not_found, e, not_found_detail(e));
  } catch (const ValidationError& e) {
    return row(ErrorKind::validation, e, validation_detail(e));
  } catch (const UpgradeRequired& e) {
    return row(ErrorKind::upgrade_required, e,
               {{"detail", "Subscription upgrade required"}, {"required_level", e.required_level}});
  } catch (const PermissionDenied& e) {
    return row(ErrorKind::permission, e, {{"detail", "Permission denied"}, {"action", e.action}});
  } catch (const Conflict& e) {
    return row(ErrorKind::conflict, e,
               {{"detail", "Invalid status transition"}, {"from", e.from}, {"to", e.to}});
  } catch (const PreconditionFailed& e) {
    return row(ErrorKind::precondition, e,
               {{"detail", "Precondition failed"}, {"etag", e.current_etag}});
  } catch (const LimitExceeded& e) {
    auto r =
        row(ErrorKind::quota, e,
            {{"detail", "Task limit exceeded"}, {"limit_type", e.limit_type}, {"limit", e.limit}});
    r.limit_type = e.limit_type;
    r.limit = e.limit;
    return r;
  } catch (const Unreadable& e) {
    // One damaged row: this request fails, clearly; lists skip the row.
    json::object body{{"detail", "Stored data cannot be read"},
                      {"error_code", "STORED_DATA_UNREADABLE"}};
    body[e.table == "task_executions" ? "execution_id" : "task_id"] = e.id;
    return row(ErrorKind::unreadable, e, std::move(body));
  } catch (const Unavailable& e) {
    return row(ErrorKind::unavailable, e, {{"detail", "Service unavailable"}});
  } catch (const std::exception& e) {
    return row(ErrorKind::internal, e, {{"detail", "Internal server error"}});
  } catch (...) {
    ErrorRow r;
    r.body = {{"detail", "Internal server error"}};
    r.message = "non-standard exception";
    return r;
  }
}

const char* error_kind_name(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::not_found:
      return "not_found";
    case ErrorKind::validation:
      return "validation";
    case ErrorKind::permission:
      return "permission";
    case ErrorKind::upgrade_required:
      return "upgrade_required";
    case ErrorKind::conflict:
      return "conflict";
    case ErrorKind::precondition:
      return "precondition";
    case ErrorKind::quota:
      return "quota";
    case ErrorKind::unreadable:
      return "unreadable";
    case ErrorKind::unavailable:
      return "unavailable";
    case ErrorKind::internal:
      return "internal";
  }
  return "internal";
}

int http_status_of(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::not_found:
      return 404;
    case ErrorKind::validation:
      return 422;
    case ErrorKind::permission:
    case ErrorKind::upgrade_required:
      return 403;
    case ErrorKind::conflict:
      return 409;
    case ErrorKind::precondition:
      return 412;
    case ErrorKind::quota:
      return 429;
    case ErrorKind::unavailable:
      return 503;
    case ErrorKind::unreadable:
    case ErrorKind::internal:
      return 500;
  }
  return 500;
}

}  // namespace task
