// Bulk operations (task/service/bulk.hpp; docs/api.md §16 and Part 2, "Bulk operations").
#include "task/service/bulk.hpp"

#include <boost/json.hpp>
#include <set>

#include "task/core/errors.hpp"
#include "task/rules/error_table.hpp"

namespace task {

namespace json = boost::json;

namespace {

constexpr const char* kActions[] = {"pause", "resume", "cancel", "delete", "run"};
/// The §8 list filters a bulk filter may use (paging is the operation's own business).
constexpr const char* kFilterKeys[] = {"status",     "task_type", "priority", "tag",
                                       "due_before", "due_after", "q"};

bool one_of(std::string_view v, const auto& list) {
  for (const char* x : list)
    if (v == x) return true;
  return false;
}

/// The filter object as list query parameters; field errors under ["body","filter",…].
QueryParams filter_params(const json::object& filter, std::vector<FieldError>& errors) {
  QueryParams out;
  for (const auto& [k, v] : filter) {
    const std::string key(k);
    if (!one_of(key, kFilterKeys)) {
      errors.push_back({{"body", "filter", key},
                        "Unknown filter (use status, task_type, priority, tag, due_before, "
                        "due_after, q)",
                        "extra_forbidden"});
      continue;
    }
    if (key == "tag" && v.is_array()) {
      for (std::size_t i = 0; i < v.as_array().size(); ++i) {
        const auto& t = v.as_array()[i];
        if (!t.is_string())
          errors.push_back({{"body", "filter", "tag", std::to_string(i)},
                            "Input should be a string",
                            "string_type"});
        else
          out.emplace_back("tag", std::string(t.as_string()));
      }
      continue;
    }
    if (!v.is_string()) {
      errors.push_back({{"body", "filter", key}, "Input should be a string", "string_type"});
      continue;
    }
    out.emplace_back(key, std::string(v.as_string()));
  }
  return out;
}

/// The caller's task ids matching the filter, newest first; 422 when more than 1,000 match.
std::vector<std::string> matching_ids(TaskService& service, const Caller& c,
                                      const QueryParams& filter) {
  std::vector<std::string> out;
  std::optional<std::string> cursor;
  for (;;) {
    QueryParams page = filter;
    page.emplace_back("limit", "100");
    if (cursor) page.emplace_back("cursor", *cursor);
    TaskList list;
    try {
      list = service.list_tasks(c, page);
    } catch (ValidationError& e) {  // the list's ["query",k] is the body's ["body","filter",k]
      for (auto& fe : e.errors)
        if (!fe.loc.empty() && fe.loc[0] == "query") {
          fe.loc[0] = "filter";
          fe.loc.insert(fe.loc.begin(), "body");
        }
      throw ValidationError(std::move(e.errors));
    }
    if (list.total > static_cast<std::int64_t>(kMaxBulkTasks))
      throw ValidationError({"body", "filter"},
                            "The filter matches " + std::to_string(list.total) +
                                " tasks; a bulk operation takes at most 1000",
                            "too_long");
    for (const auto& t : list.tasks)
      out.push_back(t.task_id);
    if (!list.next_cursor || list.tasks.empty()) break;
    cursor = list.next_cursor;
  }
  return out;
}

}  // namespace

BulkRequest parse_bulk_request(const json::value& body) {
  if (!body.is_object()) throw ValidationError({"body"}, "Input should be an object", "dict_type");
  const auto& o = body.as_object();
  std::vector<FieldError> errors;
  BulkRequest out;
  if (const auto* a = o.if_contains("action"); !a)
    errors.push_back({{"body", "action"}, "Field required", "missing"});
  else if (!a->is_string() || !one_of(a->as_string(), kActions))
    errors.push_back({{"body", "action"},
                      "Input should be 'pause', 'resume', 'cancel', 'delete' or 'run'",
                      "enum"});
  else
    out.action = std::string(a->as_string());

  const auto* ids = o.if_contains("task_ids");
  const auto* filter = o.if_contains("filter");
  if (ids && filter) {
    errors.push_back({{"body"}, "Give either task_ids or filter, not both", "value_error"});
  } else if (!ids && !filter) {
    errors.push_back({{"body", "task_ids"}, "Field required (or give a filter)", "missing"});
  } else if (ids) {
    if (!ids->is_array()) {
      errors.push_back({{"body", "task_ids"}, "Input should be a list", "list_type"});
    } else if (ids->as_array().empty()) {
      errors.push_back({{"body", "task_ids"}, "List should have at least 1 item", "too_short"});
    } else if (ids->as_array().size() > kMaxBulkTasks) {
      errors.push_back({{"body", "task_ids"}, "List should have at most 1000 items", "too_long"});
    } else {
      std::set<std::string, std::less<>> seen;
      const auto& arr = ids->as_array();
      for (std::size_t i = 0; i < arr.size(); ++i) {
        const std::vector<std::string> loc{"body", "task_ids", std::to_string(i)};
        if (!arr[i].is_string()) {
          errors.push_back({loc, "Input should be a string", "string_type"});
          continue;
        }
        const std::string id(arr[i].as_string());
        if (id.empty() || id.size() > 255)
          errors.push_back({loc, "A task id has 1-255 characters", "string_too_long"});
        else if (!seen.insert(id).second)
          errors.push_back({loc, "Duplicate task id " + id, "duplicate"});
        else
          out.task_ids.push_back(id);
      }
    }
  } else if (!filter->is_object()) {
    errors.push_back({{"body", "filter"}, "Input should be an object", "dict_type"});
  } else {
    out.filter = filter_params(filter->as_object(), errors);
  }
  if (!errors.empty()) throw ValidationError(std::move(errors));
  return out;
}

BulkOutcome run_bulk(TaskService& service, const Caller& c, const BulkRequest& request,
                     const BulkRunner& run) {
  const auto ids = request.filter ? matching_ids(service, c, *request.filter) : request.task_ids;
  BulkOutcome outcome;
  json::array results;
  std::int64_t missing = 0;
  for (const auto& id : ids) {
    json::object r{{"task_id", id}};
    try {
      bool moved = true;
      std::string status;
      if (request.action == "delete") {
        status = std::string(to_string(service.delete_task(c, id).status));
      } else if (request.action == "run") {
        const auto started = run(id);  // queued (server) or run here (CLI); result in executions
        status = std::string(to_string(started.task.status));
        r["execution_id"] = started.execution.execution_id;
      } else {
        std::string target = request.action == "pause" ? "paused" : "cancelled";
        if (request.action == "resume") {
          const auto task = service.get_task(c, id);
          target = task.schedule ? "scheduled" : "pending";
          // Resuming applies to paused tasks; an active one is already resumed (no change).
          if (task.status != TaskStatus::paused && task.status != TaskStatus::pending &&
              task.status != TaskStatus::scheduled)
            throw Conflict(std::string(to_string(task.status)), target);
        }
        const auto updated = service.update_task(c, id, json::object{{"status", target}});
        moved = !updated.updated_fields.empty();
        status = std::string(to_string(updated.task.status));
      }
      if (moved) ++outcome.changed;
      r["ok"] = true;
      r["status"] = status;
    } catch (...) {
      auto row = error_row(std::current_exception());
      if (row.kind == ErrorKind::internal || row.kind == ErrorKind::unreadable ||
          row.kind == ErrorKind::unavailable)
        outcome.internal_error = row.message;
      if (row.http_status == 404) ++missing;  // not the caller's: not matched
      json::object error{{"status", row.http_status}};
      if (const auto* d = row.body.if_contains("detail")) error["detail"] = *d;
      r["ok"] = false;
      r["status"] = nullptr;
      r["error"] = std::move(error);
    }
    results.push_back(std::move(r));
  }
  outcome.body = json::object{{"action", request.action},
                              {"matched", static_cast<std::int64_t>(ids.size()) - missing},
                              {"changed", outcome.changed},
                              {"results", std::move(results)}};
  return outcome;
}

}  // namespace task
