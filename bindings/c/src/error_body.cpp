#include "error_body.hpp"

#include <boost/json/array.hpp>

#include "task/core/errors.hpp"

namespace task::capi {

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

}  // namespace

ErrorInfo describe(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const NotFound& e) {
    return {TASK_ERR_NOT_FOUND, e.what(), not_found_detail(e)};
  } catch (const ValidationError& e) {
    return {TASK_ERR_VALIDATION, e.what(), validation_detail(e)};
  } catch (const UpgradeRequired& e) {
    return {TASK_ERR_UPGRADE_REQUIRED,
            e.what(),
            {{"detail", "Subscription upgrade required"}, {"required_level", e.required_level}}};
  } catch (const PermissionDenied& e) {
    return {TASK_ERR_PERMISSION, e.what(), {{"detail", "Permission denied"}, {"action", e.action}}};
  } catch (const Conflict& e) {
    return {TASK_ERR_CONFLICT,
            e.what(),
            {{"detail", "Invalid status transition"}, {"from", e.from}, {"to", e.to}}};
  } catch (const PreconditionFailed& e) {
    return {TASK_ERR_PRECONDITION,
            e.what(),
            {{"detail", "Precondition failed"}, {"etag", e.current_etag}}};
  } catch (const LimitExceeded& e) {
    return {TASK_ERR_QUOTA,
            e.what(),
            {{"detail", "Task limit exceeded"}, {"limit_type", e.limit_type}, {"limit", e.limit}}};
  } catch (const Unavailable& e) {
    // Unlike the HTTP API (which logs the cause), a library caller gets the cause in `message`.
    return {TASK_ERR_UNAVAILABLE, e.what(), {{"detail", "Service unavailable"}}};
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    return {TASK_ERR_INTERNAL, e.what(), {{"detail", "Internal server error"}}};
  } catch (...) {
    return {TASK_ERR_INTERNAL, "non-standard exception", {{"detail", "Internal server error"}}};
  }
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
    case TASK_ERR_NOT_FOUND:
      return 404;
    case TASK_ERR_VALIDATION:
      return 422;
    case TASK_ERR_PERMISSION:
      return 403;
    case TASK_ERR_UPGRADE_REQUIRED:
      return 403;
    case TASK_ERR_CONFLICT:
      return 409;
    case TASK_ERR_PRECONDITION:
      return 412;
    case TASK_ERR_QUOTA:
      return 429;
    case TASK_ERR_UNAVAILABLE:
      return 503;
    case TASK_ERR_INTERNAL:
      return 500;
    case TASK_ERR_INVALID_ARGUMENT:
      return 400;
  }
  return 500;
}

}  // namespace task::capi
