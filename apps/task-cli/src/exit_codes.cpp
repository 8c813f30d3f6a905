#include "exit_codes.hpp"

#include <boost/json.hpp>

#include "task/core/errors.hpp"

namespace json = boost::json;

namespace task::cli {

const char* const kExitCodeHelp =
    "Exit codes: 0 ok, 1 other failure, 2 usage, 3 validation (422), 4 not found (404),\n"
    "5 conflict (409/412), 6 quota (429), 7 unavailable (503, connection refused),\n"
    "8 authentication/permission (401/403).";

namespace {

/// `body.schedule.expression` -> `schedule.expression` (the request part is implied).
std::string location(const std::vector<std::string>& loc) {
  std::string s;
  for (std::size_t i = 0; i < loc.size(); ++i) {
    if (i == 0 && loc.size() > 1 && (loc[i] == "body" || loc[i] == "query")) continue;
    if (!s.empty()) s += '.';
    s += loc[i];
  }
  return s;
}

std::string one_line(std::string s) {
  for (auto& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}

std::string validation_message(const std::vector<FieldError>& errors) {
  std::string s;
  for (const auto& e : errors) {
    if (!s.empty()) s += "; ";
    const auto where = location(e.loc);
    s += where.empty() ? e.msg : where + ": " + e.msg;
  }
  return s.empty() ? "invalid input" : s;
}

std::string text_of(const json::object& o, const char* key) {
  if (auto* v = o.if_contains(key)) {
    if (v->is_string()) return std::string(v->get_string());
    if (v->is_number()) return json::serialize(*v);
  }
  return {};
}

/// The message of an HTTP error body (docs/api.md §5 shapes).
std::string remote_message(const RemoteError& e) {
  if (!e.body.is_object()) return "HTTP " + std::to_string(e.status) + ": " + e.what();
  const auto& o = e.body.get_object();
  const auto* detail = o.if_contains("detail");
  if (detail && detail->is_array()) {
    std::vector<FieldError> errors;
    for (const auto& item : detail->get_array()) {
      if (!item.is_object()) continue;
      FieldError fe;
      if (auto* loc = item.get_object().if_contains("loc"); loc && loc->is_array())
        for (const auto& part : loc->get_array())
          fe.loc.push_back(part.is_string() ? std::string(part.get_string())
                                            : json::serialize(part));
      fe.msg = text_of(item.get_object(), "msg");
      errors.push_back(std::move(fe));
    }
    return validation_message(errors);
  }
  std::string msg = detail && detail->is_string() ? std::string(detail->get_string())
                                                  : "HTTP " + std::to_string(e.status);
  if (auto id = text_of(o, "task_id"); !id.empty()) msg += ": " + id;
  if (auto id = text_of(o, "template_id"); !id.empty()) msg += ": " + id;
  if (auto from = text_of(o, "from"); !from.empty()) msg += ": " + from + " -> " + text_of(o, "to");
  if (auto lt = text_of(o, "limit_type"); !lt.empty())
    msg += " (" + lt + ", limit " + text_of(o, "limit") + ")";
  if (auto lvl = text_of(o, "required_level"); !lvl.empty()) msg += " (requires " + lvl + ")";
  if (auto action = text_of(o, "action"); !action.empty()) msg += ": " + action;
  return msg;
}

}  // namespace

int exit_code_for_status(int status) {
  switch (status) {
    case 400:
    case 413:
    case 422:
      return kValidation;
    case 404:
      return kNotFound;
    case 409:
    case 412:
      return kConflict;
    case 429:
      return kQuota;
    case 502:
    case 503:
    case 504:
      return kUnavailable;
    case 401:
    case 403:
      return kDenied;
    default:
      return kFailure;
  }
}

ErrorReport describe_error(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const UsageError& x) {
    return {kUsage, one_line(x.what())};
  } catch (const CliError& x) {
    return {x.exit_code, one_line(x.what())};
  } catch (const RemoteError& x) {
    return {exit_code_for_status(x.status), one_line(remote_message(x))};
  } catch (const ConnectionError& x) {
    return {kUnavailable, one_line(x.what())};
  } catch (const ValidationError& x) {
    return {kValidation, one_line(validation_message(x.errors))};
  } catch (const NotFound& x) {
    return {kNotFound, x.resource + " not found: " + x.id};
  } catch (const Conflict& x) {
    return {kConflict, one_line(x.what())};
  } catch (const PreconditionFailed& x) {
    return {kConflict,
            "precondition failed: the task changed (current ETag " + x.current_etag + ")"};
  } catch (const LimitExceeded& x) {
    return {kQuota, "limit exceeded: " + x.limit_type + " (limit " + std::to_string(x.limit) + ")"};
  } catch (const Unavailable& x) {
    return {kUnavailable, one_line(std::string("service unavailable: ") + x.what())};
  } catch (const PermissionDenied& x) {
    return {kDenied, "permission denied: " + x.action};
  } catch (const UpgradeRequired& x) {
    return {kDenied, "subscription upgrade required (requires " + x.required_level + ")"};
  } catch (const std::exception& x) {
    return {kFailure, one_line(x.what())};
  } catch (...) {
    return {kFailure, "unknown error"};
  }
}

}  // namespace task::cli
