// `task-cli bulk ACTION [TASK_ID...] [--ids-file F] [filters]` (docs/api.md §16, "Bulk
// operations"): one body for POST /api/v1/tasks/bulk, built here; the rules (1-1000 ids, the
// actions, the filter, per-task results) are the service's (task/service/bulk.hpp) in both modes.
#include <boost/json.hpp>
#include <fstream>
#include <iostream>
#include <set>

#include "commands.hpp"
#include "exit_codes.hpp"

namespace task::cli {

namespace json = boost::json;

namespace {

void put(json::object& o, const char* key, const std::optional<std::string>& v) {
  if (v) o[key] = *v;
}

/// Task ids one per line (blank lines and surrounding spaces ignored).
std::vector<std::string> read_ids(std::istream& in) {
  std::vector<std::string> ids;
  std::string line;
  while (std::getline(in, line)) {
    const auto b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos) continue;
    const auto e = line.find_last_not_of(" \t\r");
    ids.push_back(line.substr(b, e - b + 1));
  }
  return ids;
}

json::object bulk_body(const BulkOptions& o) {
  json::object body{{"action", o.action}};
  std::vector<std::string> ids = o.task_ids;
  if (o.ids_file) {
    std::vector<std::string> more;
    if (*o.ids_file == "-") {
      more = read_ids(std::cin);
    } else {
      std::ifstream in(*o.ids_file);
      if (!in) throw UsageError("--ids-file: cannot read " + *o.ids_file);
      more = read_ids(in);
    }
    ids.insert(ids.end(), more.begin(), more.end());
  }
  const auto& f = o.filter;
  json::object filter;
  put(filter, "status", f.status);
  put(filter, "task_type", f.task_type);
  put(filter, "priority", f.priority);
  if (f.tags.size() == 1) filter["tag"] = f.tags.front();
  if (f.tags.size() > 1) {
    json::array tags;
    for (const auto& t : f.tags)
      tags.emplace_back(t);
    filter["tag"] = std::move(tags);
  }
  put(filter, "due_before", f.due_before);
  put(filter, "due_after", f.due_after);
  put(filter, "q", f.q);
  const bool ids_given = !o.task_ids.empty() || o.ids_file;
  if (ids_given && !filter.empty())
    throw UsageError("bulk: give task ids or filter options, not both");
  if (!ids_given && filter.empty())
    throw UsageError("bulk: give task ids (or --ids-file) or at least one filter option");
  if (ids_given) {
    json::array arr;
    for (const auto& id : ids)
      arr.emplace_back(id);
    body["task_ids"] = std::move(arr);  // the service checks 1-1000, duplicates, lengths
  } else {
    body["filter"] = std::move(filter);
  }
  return body;
}

std::string text_of(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v ? cell_text(*v) : "-";
}

}  // namespace

int cmd_bulk(Backend& b, Printer& p, const BulkOptions& o) {
  const auto answer = b.bulk(bulk_body(o));
  const auto* r = answer.if_contains("results");
  const json::array results = r && r->is_array() ? r->get_array() : json::array{};
  std::vector<std::vector<std::string>> rows;
  std::set<int> failed_statuses;
  std::size_t failed = 0;
  for (const auto& v : results) {
    if (!v.is_object()) continue;
    const auto& x = v.get_object();
    std::string error = "-";
    if (const auto* e = x.if_contains("error"); e && e->is_object()) {
      const auto& eo = e->get_object();
      const auto* st = eo.if_contains("status");
      const int status = st && st->is_int64() ? static_cast<int>(st->get_int64()) : 0;
      failed_statuses.insert(status);
      ++failed;
      error = std::to_string(status) + " " + text_of(eo, "detail");
    }
    rows.push_back({text_of(x, "task_id"), text_of(x, "ok"), text_of(x, "status"), error});
  }
  p.note(text_of(answer, "action") + ": matched " + text_of(answer, "matched") + ", changed " +
         text_of(answer, "changed"));
  p.table_or_json(answer, results, {"TASK_ID", "OK", "STATUS", "ERROR"}, rows);
  if (failed == 0) return kOk;
  // Like the single-task commands: the exit code of the failure (all alike), else 1.
  const int code =
      failed_statuses.size() == 1 ? exit_code_for_status(*failed_statuses.begin()) : kFailure;
  throw CliError(code, "bulk " + o.action + ": " + std::to_string(failed) + " of " +
                           std::to_string(results.size()) + " task(s) failed");
}

}  // namespace task::cli
