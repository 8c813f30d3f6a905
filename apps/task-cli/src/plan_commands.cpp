// `task-cli upcoming`, `preview` and `completions` (docs/api.md §16): the service computes the
// slots (task/rules/upcoming.hpp in local mode, the same code behind the HTTP API remotely).
#include <boost/json.hpp>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "request_builder.hpp"

namespace task::cli {

namespace json = boost::json;

namespace {

std::string text_of(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v ? cell_text(*v) : "-";
}

/// The runs of an upcoming/preview answer as AT / LOCAL rows.
void print_runs(Printer& p, const json::object& answer) {
  const auto* runs = answer.if_contains("runs");
  const json::array items = runs && runs->is_array() ? runs->get_array() : json::array{};
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : items)
    if (r.is_object())
      rows.push_back({text_of(r.get_object(), "at"), text_of(r.get_object(), "local")});
  p.note("timezone: " + text_of(answer, "timezone"));
  p.table_or_json(answer, items, {"AT", "LOCAL"}, rows);
}

Params count_param(const PlanOptions& o) {
  if (!o.count) return {};
  return {{"count", std::to_string(*o.count)}};
}

}  // namespace

int cmd_upcoming(Backend& b, Printer& p, const std::string& task_id, const PlanOptions& o) {
  print_runs(p, b.upcoming(task_id, count_param(o)));
  return kOk;
}

int cmd_preview(Backend& b, Printer& p, const PlanOptions& o) {
  json::object body{{"schedule", parse_schedule_arg(o.expression, o.tz)}};
  if (o.count) body["count"] = *o.count;
  if (o.from) body["from"] = *o.from;
  print_runs(p, b.preview(body));
  return kOk;
}

int cmd_completions(Backend& b, Printer& p, const std::string& task_id, const PlanOptions& o) {
  Params q;
  if (o.limit) q.emplace_back("limit", std::to_string(*o.limit));
  const auto items = b.completions(task_id, q);
  std::vector<std::vector<std::string>> rows;
  for (const auto& c : items)
    if (c.is_object())
      rows.push_back(
          {text_of(c.get_object(), "due_date"), text_of(c.get_object(), "completed_at")});
  p.table_or_json(items, items, {"DUE_DATE", "COMPLETED_AT"}, rows);
  return kOk;
}

}  // namespace task::cli
