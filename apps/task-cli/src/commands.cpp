#include "commands.hpp"

#include <boost/json.hpp>
#include <chrono>
#include <istream>
#include <ostream>
#include <thread>

#include "exit_codes.hpp"
#include "request_builder.hpp"
#include "task/codec/json_codec.hpp"
#include "task/codec/json_numbers.hpp"

namespace json = boost::json;

namespace task::cli {

namespace {

void put(Params& q, const char* key, const std::optional<std::string>& v) {
  if (v) q.emplace_back(key, *v);
}
void put(Params& q, const char* key, const std::optional<int>& v) {
  if (v) q.emplace_back(key, std::to_string(*v));
}

std::string string_field(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

Params list_query(const ListOptions& o) {
  Params q;
  put(q, "status", o.status);
  put(q, "task_type", o.task_type);
  put(q, "priority", o.priority);
  for (const auto& t : o.tags)
    q.emplace_back("tag", t);
  put(q, "due_before", o.due_before);
  put(q, "due_after", o.due_after);
  put(q, "q", o.q);
  put(q, "limit", o.limit);
  put(q, "offset", o.offset);
  put(q, "cursor", o.cursor);
  return q;
}

/// Replaces (or adds) the cursor of a query.
Params with_cursor(Params q, const std::string& cursor) {
  std::erase_if(q, [](const auto& kv) { return kv.first == "cursor" || kv.first == "offset"; });
  q.emplace_back("cursor", cursor);
  return q;
}

}  // namespace

int cmd_add(Backend& b, Printer& p, const TaskFields& f) {
  p.task(b.create_task(build_create_body(f)));
  return kOk;
}

json::array fetch_all_tasks(Backend& b, Params query) {
  json::array all;
  for (;;) {
    auto page = b.list_tasks(query);
    for (auto& t : page["tasks"].as_array())
      all.push_back(std::move(t));
    const auto cursor = string_field(page, "next_cursor");
    if (cursor.empty()) return all;
    query = with_cursor(std::move(query), cursor);
  }
}

int cmd_list(Backend& b, Printer& p, const ListOptions& o) {
  auto query = list_query(o);
  if (!o.all) {
    p.task_page(b.list_tasks(query));
    return kOk;
  }
  // --all: every page concatenated into one page object (count = total, no next_cursor).
  auto page = b.list_tasks(query);
  json::array tasks = std::move(page["tasks"].as_array());
  for (auto cursor = string_field(page, "next_cursor"); !cursor.empty();) {
    query = with_cursor(std::move(query), cursor);
    auto next = b.list_tasks(query);
    for (auto& t : next["tasks"].as_array())
      tasks.push_back(std::move(t));
    cursor = string_field(next, "next_cursor");
  }
  page["count"] = tasks.size();
  page["tasks"] = std::move(tasks);
  page["next_cursor"] = nullptr;
  p.task_page(page);
  return kOk;
}

int cmd_show(Backend& b, Printer& p, const std::string& task_id) {
  p.task(b.get_task(task_id));
  return kOk;
}

int cmd_edit(Backend& b, Printer& p, const std::string& task_id, const TaskFields& f) {
  json::object current_config;
  if (!f.config.empty() && !f.config_json) {
    auto current = b.get_task(task_id);
    if (auto* c = current.if_contains("config"); c && c->is_object())
      current_config = c->get_object();
  }
  p.task(b.update_task(task_id, build_update_body(f, current_config)));
  return kOk;
}

int cmd_set_status(Backend& b, Printer& p, const std::string& task_id, const std::string& verb) {
  std::string status;
  if (verb == "done") status = "completed";
  if (verb == "reopen") status = "pending";
  if (verb == "pause") status = "paused";
  if (verb == "cancel") status = "cancelled";
  if (verb == "resume") {
    // A paused task goes back to `scheduled` when it has a schedule, else to `pending`.
    auto current = b.get_task(task_id);
    const auto* s = current.if_contains("schedule");
    status = s && s->is_object() ? "scheduled" : "pending";
  }
  if (status.empty()) throw UsageError("unknown status verb: " + verb);
  const auto t = b.update_task(task_id, json::object{{"status", status}});
  // A recurring todo stays open on its next occurrence (docs/api.md §16): say when.
  const auto* r = t.if_contains("recurrence");
  const auto* st = t.if_contains("status");
  if (verb == "done" && r && r->is_object() && st && st->is_string() && *st != "completed")
    p.note("next due: " + cell_text(t.at("due_date")));
  p.task(t);
  return kOk;
}

int cmd_rm(Backend& b, Printer& p, const std::string& task_id) {
  p.deleted(b.delete_task(task_id));
  return kOk;
}

int cmd_run(Backend& b, Printer& p, const std::string& task_id, const RunOptions& o) {
  json::object body;
  if (o.trigger_type) body["trigger_type"] = *o.trigger_type;
  if (o.trigger_data_json)
    body["trigger_data"] = parse_json_object_arg(*o.trigger_data_json, "--trigger-data");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(o.wait_seconds);
  auto run = b.execute_task(task_id, body, std::min(o.wait_seconds, 30) * 1000);
  // The server answered 202 (still running): poll the task's executions for the outcome.
  const auto execution_id = string_field(run.execution, "execution_id");
  while (!run.finished && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    auto [items, total] = b.list_executions(task_id, {{"limit", "100"}});
    for (auto& v : items) {
      auto& e = v.as_object();
      if (string_field(e, "execution_id") == execution_id &&
          string_field(e, "status") != "running") {
        run = {e, true};
        break;
      }
    }
  }
  p.execution(run.execution);
  if (!run.finished)
    throw ConnectionError("run " + execution_id + " still running after " +
                          std::to_string(o.wait_seconds) + " s");
  return string_field(run.execution, "status") == "completed" ? kOk : kFailure;
}

int cmd_runs(Backend& b, Printer& p, const std::string& task_id, const PageOptions& o) {
  Params q;
  put(q, "limit", o.limit);
  put(q, "offset", o.offset);
  auto [items, total] = b.list_executions(task_id, q);
  p.executions(items, total);
  return kOk;
}

int cmd_templates(Backend& b, Printer& p, const TemplateOptions& o) {
  Params q;
  put(q, "category", o.category);
  put(q, "task_type", o.task_type);
  p.templates(b.list_templates(q));
  return kOk;
}

int cmd_from_template(Backend& b, Printer& p, const std::string& template_id, const TaskFields& f) {
  p.task(b.create_from_template(build_from_template_body(template_id, f)));
  return kOk;
}

int cmd_stats(Backend& b, Printer& p, const StatsOptions& o) {
  Params q;
  put(q, "days", o.days);
  put(q, "tz", o.tz);
  p.analytics(b.analytics(q));
  return kOk;
}

json::array fetch_all_executions(Backend& b, const std::string& task_id) {
  json::array newest_first;
  for (int offset = 0;; offset += 100) {
    auto [items, total] =
        b.list_executions(task_id, {{"limit", "100"}, {"offset", std::to_string(offset)}});
    for (auto& e : items)
      newest_first.push_back(std::move(e));
    if (items.empty() || static_cast<std::int64_t>(newest_first.size()) >= total) break;
  }
  json::array oldest_first;
  for (auto it = newest_first.rbegin(); it != newest_first.rend(); ++it)
    oldest_first.push_back(*it);
  return oldest_first;
}

int cmd_export(Backend& b, std::ostream& out) {
  auto tasks = fetch_all_tasks(b, {});
  // Oldest first (creation order); import restores the row ids as exported, in any order.
  for (auto it = tasks.rbegin(); it != tasks.rend(); ++it) {
    const auto& task = it->as_object();
    json::object record{{"task", task},
                        {"executions", fetch_all_executions(b, string_field(task, "task_id"))}};
    out << to_json_text(record) << '\n';
  }
  return kOk;
}

int cmd_import(Backend& b, std::istream& in, std::ostream& report, bool quiet) {
  b.begin_import();
  std::string line;
  std::size_t n = 0, line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    boost::system::error_code ec;
    // Exact numbers; a record wraps stored values (up to kMaxStoredJsonDepth levels).
    auto v = parse_json(line, ec, kMaxStoredJsonDepth + 4);
    if (ec || !v.is_object() || !v.as_object().contains("task") ||
        !v.as_object().at("task").is_object())
      throw UsageError("import: line " + std::to_string(line_no) +
                       " is not an exported task record ({\"task\":{...},\"executions\":[...]})");
    // What no store can hold (a number beyond the double range, U+0000) is refused, not changed.
    if (auto bad = find_unstorable(v, {}, kMaxStoredJsonDepth + 4))
      throw UsageError("import: line " + std::to_string(line_no) + ": " + bad->message);
    TaskRecord r;
    r.task = v.as_object().at("task").as_object();
    if (auto* e = v.as_object().if_contains("executions"); e && e->is_array())
      r.executions = e->as_array();
    b.import_record(r);
    ++n;
    if (quiet) report << string_field(r.task, "task_id") << '\n';
  }
  if (!quiet) report << "imported " << n << " task(s)\n";
  return kOk;
}

int cmd_db_migrate(Backend& b, std::ostream& out) {
  out << b.migrate() << '\n';
  return kOk;
}

}  // namespace task::cli
