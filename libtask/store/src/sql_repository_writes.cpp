// The write side of SqlRepository's read-modify-write: changes (task rows, executions, outbox
// events) stored with multi-row statements, and modify_tasks, the batch form of modify_task.
#include <map>

#include "codec.hpp"
#include "sql_repository.hpp"

namespace task::store::detail {

namespace {

/// Most bound values per statement. PostgreSQL allows 65,535; SOCI's SQLite backend looks each
/// name up linearly, so SQLite statements stay small.
std::size_t max_params(const Dialect& d) {
  return d.pg() ? 20000 : 1000;
}

}  // namespace

void SqlRepository::insert_rows(soci::session& s, std::size_t n, const RowValues& row,
                                const std::function<std::string(const std::string&)>& head,
                                const std::function<std::string(const std::string&)>& tail,
                                const std::function<void(const soci::row&)>& on_row) {
  std::size_t i = 0;
  while (i < n) {
    Params p;
    std::string columns, values;
    // Rows until the next one could pass the parameter limit (at least one row per statement).
    std::size_t per_row = 0;
    do {
      const std::size_t before = p.size();
      auto [cols, vals] = row(i++, p);
      per_row = std::max(per_row, p.size() - before);
      if (columns.empty()) columns = std::move(cols);
      values += (values.empty() ? "(" : ", (") + vals + ")";
    } while (i < n && p.size() + per_row <= max_params(d()));
    const std::string sql = head(columns) + " VALUES " + values + tail(columns);
    if (on_row)
      query(s, sql, p, on_row);
    else
      execute(s, sql, p);
  }
}

void SqlRepository::insert_events(soci::session& s, const std::vector<const Event*>& events) {
  if (d().pg()) return insert_event_arrays(s, events);
  insert_rows(
      s, events.size(),
      [&](std::size_t i, Params& p) -> std::pair<std::string, std::string> {
        const Event& e = *events[i];
        const std::string data = *json_text(boost::json::value(e.data), false);
        auto opt = [](const std::string& v) {
          return v.empty() ? std::nullopt : std::optional<std::string>(v);
        };
        return {"event_id, type, task_id, user_id, time, data, traceparent, tracestate",
                p.add(e.id) + ", " + p.add(e.type) + ", " + p.add(e.task_id) + ", " +
                    p.add(e.user_id) + ", " + p.add(e.time) + ", " + d().json_in(p.add(data)) +
                    ", " + p.add(opt(e.traceparent)) + ", " + p.add(opt(e.tracestate))};
      },
      [&](const std::string& cols) {
        return "INSERT INTO " + t("event_outbox") + " (" + cols + ")";
      },
      [](const std::string&) { return std::string(); }, nullptr);
}

void SqlRepository::write_changes(soci::session& s, const std::vector<Change*>& changes,
                                  const std::vector<const Task*>* before) {
  std::vector<const Task*> tasks, tasks_before;
  std::vector<Execution*> executions;
  std::vector<const Event*> events;
  std::vector<const Completion*> completions;
  for (std::size_t i = 0; i < changes.size(); ++i) {
    Change* c = changes[i];
    if (c->task) {
      tasks.push_back(&*c->task);
      tasks_before.push_back(before && i < before->size() ? (*before)[i] : nullptr);
    }
    for (const auto& x : c->completions)
      completions.push_back(&x);
    for (auto& e : c->executions)
      executions.push_back(&e);
    for (const auto& e : c->events)
      events.push_back(&e);
  }
  if (d().pg() && completions.empty())
    return write_arrays(s, tasks, tasks_before, executions, events);
  // Task rows exist (locked by the caller): an upsert by id is a multi-row UPDATE on both
  // backends, with the same column list as an INSERT.
  insert_rows(
      s, tasks.size(),
      [&](std::size_t i, Params& p) {
        const std::string id = p.add(tasks[i]->id);
        auto [cols, vals] = task_values(d(), *tasks[i], p);
        return std::pair{"id, " + cols, id + ", " + vals};
      },
      [&](const std::string& cols) { return "INSERT INTO " + t("user_tasks") + " (" + cols + ")"; },
      [&](const std::string& cols) {
        return " ON CONFLICT (id) DO UPDATE SET " + excluded_assignments(cols.substr(4));
      },
      nullptr);
  // Executions are inserted or updated by execution_id; a taken (task_id, scheduled_for) slot
  // fails the statement (Conflict after the rollback).
  std::map<std::string, std::int64_t> ids;
  insert_rows(
      s, executions.size(),
      [&](std::size_t i, Params& p) { return execution_values(d(), *executions[i], p); },
      [&](const std::string& cols) {
        return "INSERT INTO " + t("task_executions") + " (" + cols + ")";
      },
      [&](const std::string& cols) {
        return " ON CONFLICT (execution_id) DO UPDATE SET " + excluded_assignments(cols) +
               " RETURNING execution_id, id";
      },
      [&](const soci::row& r) { ids[col_str(r, 0)] = col_i64(r, 1); });
  for (Execution* e : executions)
    e->id = ids[e->execution_id];
  insert_rows(
      s, completions.size(),
      [&](std::size_t i, Params& p) -> std::pair<std::string, std::string> {
        const Completion& x = *completions[i];
        return {"task_id, user_id, due_date, completed_at",
                p.add(x.task_id) + ", " + p.add(x.user_id) + ", " + p.add(x.due_date) + ", " +
                    p.add(x.completed_at)};
      },
      [&](const std::string& cols) {
        return "INSERT INTO " + t("task_completions") + " (" + cols + ")";
      },
      [](const std::string&) { return std::string(); }, nullptr);
  insert_events(s, events);
}

std::vector<std::optional<Change>> SqlRepository::modify_tasks(
    const std::vector<std::string>& task_ids,
    const std::function<std::optional<Change>(const Task&)>& fn) {
  if (task_ids.empty()) return {};
  return db_->in_transaction([&](soci::session& s) {
    std::map<std::string, Task, std::less<>> current;
    if (d().pg()) {
      // One statement text for any number of ids (an array), prepared once per session.
      Params p;
      for (auto& task :
           select_tasks(s,
                        " WHERE task_id = ANY(CAST(" + p.add(tags_text(d(), task_ids)) +
                            " AS TEXT[])) ORDER BY id" + d().for_update(),
                        p))
        current.emplace(task.task_id, std::move(task));
    }
    for (std::size_t from = d().pg() ? task_ids.size() : 0; from < task_ids.size();) {
      Params p;
      std::string in;
      for (; from < task_ids.size() && p.size() < max_params(d()); ++from)
        in += (in.empty() ? "" : ", ") + p.add(task_ids[from]);
      // Row locks in id order: two batches over the same rows queue instead of deadlocking.
      for (auto& task :
           select_tasks(s, " WHERE task_id IN (" + in + ") ORDER BY id" + d().for_update(), p))
        current.emplace(task.task_id, std::move(task));
    }
    std::vector<const Task*> rows;
    for (const auto& id : task_ids) {
      const auto it = current.find(id);
      rows.push_back(it == current.end() ? nullptr : &it->second);
    }
    return change_rows(s, rows, fn);
  });
}

std::vector<std::optional<Change>> SqlRepository::change_rows(
    soci::session& s, const std::vector<const Task*>& rows,
    const std::function<std::optional<Change>(const Task&)>& fn) {
  std::vector<std::optional<Change>> out(rows.size());
  std::vector<Change*> writes;
  std::vector<const Task*> before;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (!rows[i]) continue;
    out[i] = fn(*rows[i]);
    if (!out[i]) continue;
    if (out[i]->task) {
      out[i]->task->id = rows[i]->id;
      out[i]->task->task_id = rows[i]->task_id;
      out[i]->task->version = rows[i]->version + 1;
    }
    writes.push_back(&*out[i]);
    before.push_back(rows[i]);
  }
  write_changes(s, writes, &before);
  return out;
}

}  // namespace task::store::detail
