#include "task/rules/error_table.hpp"

#include <boost/json/array.hpp>
#include <iterator>
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

namespace {

/// Each kind once: its name and its HTTP status.
struct KindRow {
  ErrorKind kind;
  const char* name;
  int http_status;
};

constexpr KindRow kKinds[] = {
    {ErrorKind::not_found, "not_found", 404},
    {ErrorKind::validation, "validation", 422},
    {ErrorKind::permission, "permission", 403},
    {ErrorKind::upgrade_required, "upgrade_required", 403},
    {ErrorKind::conflict, "conflict", 409},
    {ErrorKind::precondition, "precondition", 412},
    {ErrorKind::quota, "quota", 429},
    {ErrorKind::unreadable, "unreadable", 500},
    {ErrorKind::unavailable, "unavailable", 503},
    {ErrorKind::internal, "internal", 500},
};

/// The row of `kind`; the internal row for a value outside the enum.
const KindRow& kind_row(ErrorKind kind) noexcept {
  for (const auto& r : kKinds)
    if (r.kind == kind) return r;
  return kKinds[std::size(kKinds) - 1];
}

}  // namespace

const char* error_kind_name(ErrorKind kind) noexcept {
  return kind_row(kind).name;
}

int http_status_of(ErrorKind kind) noexcept {
  return kind_row(kind).http_status;
}

}  // namespace task
