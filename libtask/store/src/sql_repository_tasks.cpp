// Tasks and executions of SqlRepository: inserts (with the quota), reads, listings and
// modify_task.
#include <algorithm>

#include "codec.hpp"
#include "sql_repository.hpp"
#include "task/core/errors.hpp"

namespace task::store::detail {

namespace {

/// First key of the advisory locks that serialise quota inserts per user (PostgreSQL).
constexpr int kQuotaLockClass = 7411;

/// `%text%` with LIKE wildcards escaped by a backslash.
std::string like_pattern(const std::string& text) {
  std::string out = "%";
  for (char c : text) {
    if (c == '\\' || c == '%' || c == '_') out += '\\';
    out += c;
  }
  return out + "%";
}

/// An enum value as an SQL literal (the names are identifiers: nothing to quote).
template <class E>
std::string enum_literal(E e) {
  return "'" + std::string(to_string(e)) + "'";
}

/// WHERE clause of a task listing (without keyset and paging). The enum filters are literals,
/// not bound parameters: SQLite compares a bound `status` with the WHERE of the partial indexes
/// (`status = 'scheduled'`) and then recompiles the prepared statement on every run after a
/// bind (more than a quarter of a list page's CPU); a literal lets the plan be kept (one
/// prepared statement per combination of the few enum values).
std::string list_filter(const Dialect& d, const TaskQuery& q, Params& p) {
  std::string w = " WHERE deleted_at IS NULL AND user_id = " + p.add(q.user_id);
  if (q.status) w += " AND status = " + enum_literal(*q.status);
  if (q.task_type) w += " AND task_type = " + enum_literal(*q.task_type);
  if (q.priority) w += " AND priority = " + enum_literal(*q.priority);
  if (!q.tags.empty()) w += " AND " + d.tags_contain("tags", p.add(tags_text(d, q.tags)));
  if (q.due_before) w += " AND due_date < " + p.add(*q.due_before);
  if (q.due_after) w += " AND due_date > " + p.add(*q.due_after);
  if (q.q) w += " AND name" + d.ilike() + p.add(like_pattern(*q.q)) + " ESCAPE '\\'";
  return w;
}

}  // namespace

Task SqlRepository::insert_row(soci::session& s, const Task& task,
                               const std::vector<Event>& events) {
  Task stored = task;
  stored.version = 1;
  Params p;
  auto [cols, vals] = task_values(d(), stored, p);
  stored.id = query_int(s,
                        "INSERT INTO " + t("user_tasks") + " (" + cols + ") VALUES (" + vals +
                            ") RETURNING id",
                        p)
                  .value_or(0);
  std::vector<const Event*> rows;
  for (const auto& e : events)
    rows.push_back(&e);
  insert_events(s, rows);
  return stored;
}

Task SqlRepository::insert_task(const Task& task, const std::vector<Event>& events) {
  auto write = [&](soci::session& s) { return insert_row(s, task, events); };
  // One statement is atomic by itself: skip BEGIN/COMMIT round trips when there are no events.
  return events.empty() ? db_->with_session(write) : db_->in_transaction(write);
}

Task SqlRepository::insert_task_within(const Task& task, const std::vector<Event>& events,
                                       std::int64_t max_tasks) {
  return db_->in_transaction([&](soci::session& s) {
    if (d().pg()) {
      // Quota inserts of one user queue on a transaction-scoped advisory lock (two-int key space,
      // apart from the migration lock), so the count below cannot go stale before the insert.
      // SQLite needs none: BEGIN IMMEDIATE already admits one writer at a time.
      Params lp;
      query_int(s,
                "SELECT COUNT(*) FROM (SELECT pg_advisory_xact_lock(" +
                    std::to_string(kQuotaLockClass) + ", hashtext(" + lp.add(task.user_id) +
                    "))) AS locked",
                lp);
    }
    Params p;
    const auto held =
        query_int(s,
                  "SELECT COUNT(*) FROM " + t("user_tasks") +
                      " WHERE deleted_at IS NULL AND user_id = " + p.add(task.user_id),
                  p)
            .value_or(0);
    if (held >= max_tasks) throw LimitExceeded("tasks", max_tasks);
    return insert_row(s, task, events);
  });
}

std::optional<Task> SqlRepository::find_task(std::string_view task_id) {
  return db_->with_session([&](soci::session& s) -> std::optional<Task> {
    Params p;
    auto rows =
        select_tasks(s, " WHERE task_id = " + p.add(std::string(task_id)), p, OnUnreadable::fail);
    if (rows.empty()) return std::nullopt;
    return rows.front();
  });
}

TaskPage SqlRepository::list_tasks(const TaskQuery& q) {
  return db_->with_session([&](soci::session& s) {
    TaskPage page;
    Params cp;
    page.total =
        query_int(s, "SELECT COUNT(*) FROM " + t("user_tasks") + list_filter(d(), q, cp), cp)
            .value_or(0);
    Params p;
    std::string rest = list_filter(d(), q, p);
    if (q.after) {
      rest += " AND (created_at < " + p.add(q.after->created_at) +
              " OR (created_at = " + p.add(q.after->created_at) + " AND id < " +
              p.add(q.after->id) + "))";
    }
    rest += " ORDER BY created_at DESC, id DESC LIMIT " + p.add(std::max(q.limit, 0)) + " OFFSET " +
            p.add(std::max(q.offset, 0));
    page.tasks = select_tasks(s, rest, p);
    return page;
  });
}

std::optional<Change> SqlRepository::modify_task(
    std::string_view task_id, const std::function<std::optional<Change>(const Task&)>& fn) {
  return db_->in_transaction([&](soci::session& s) -> std::optional<Change> {
    Params p;
    auto rows =
        select_tasks(s, " WHERE task_id = " + p.add(std::string(task_id)) + d().for_update(), p,
                     OnUnreadable::fail);
    if (rows.empty()) throw NotFound("task", std::string(task_id));
    const Task& current = rows.front();
    std::optional<Change> change = fn(current);
    if (!change) return std::nullopt;
    if (change->task) {
      change->task->id = current.id;
      change->task->task_id = current.task_id;
      change->task->version = current.version + 1;
    }
    write_changes(s, {&*change});
    return change;
  });
}

std::optional<Execution> SqlRepository::find_execution(std::string_view execution_id) {
  return db_->with_session([&](soci::session& s) -> std::optional<Execution> {
    Params p;
    std::optional<Execution> out;
    query(s,
          "SELECT " + execution_columns(d()) + " FROM " + t("task_executions") +
              " WHERE execution_id = " + p.add(std::string(execution_id)),
          p, [&](const soci::row& r) { out = decode_execution(r, OnUnreadable::fail); });
    return out;
  });
}

ExecutionPage SqlRepository::list_executions(std::string_view task_id, int limit, int offset) {
  return db_->with_session([&](soci::session& s) {
    ExecutionPage page;
    Params cp;
    page.total = query_int(s,
                           "SELECT COUNT(*) FROM " + t("task_executions") +
                               " WHERE task_id = " + cp.add(std::string(task_id)),
                           cp)
                     .value_or(0);
    Params p;
    query(s,
          "SELECT " + execution_columns(d()) + " FROM " + t("task_executions") +
              " WHERE task_id = " + p.add(std::string(task_id)) +
              " ORDER BY started_at DESC, id DESC LIMIT " + p.add(std::max(limit, 0)) + " OFFSET " +
              p.add(std::max(offset, 0)),
          p, [&](const soci::row& r) {
            if (auto e = decode_execution(r, OnUnreadable::skip))
              page.executions.push_back(std::move(*e));
          });
    return page;
  });
}

std::int64_t SqlRepository::count_executions_since(std::string_view user_id, Timestamp since) {
  return db_->with_session([&](soci::session& s) {
    Params p;
    return query_int(s,
                     "SELECT COUNT(*) FROM " + t("task_executions") + " WHERE user_id = " +
                         p.add(std::string(user_id)) + " AND started_at >= " + p.add(since),
                     p)
        .value_or(0);
  });
}

std::vector<Completion> SqlRepository::list_completions(std::string_view task_id, int limit) {
  return db_->with_session([&](soci::session& s) {
    std::vector<Completion> out;
    Params p;
    query(s,
          "SELECT task_id, user_id, due_date, completed_at FROM " + t("task_completions") +
              " WHERE task_id = " + p.add(std::string(task_id)) +
              " ORDER BY completed_at DESC, id DESC LIMIT " + p.add(std::max(limit, 0)),
          p, [&](const soci::row& r) {
            out.push_back(
                Completion{col_str(r, 0), col_str(r, 1), col_opt_time(r, 2), col_time(r, 3)});
          });
    return out;
  });
}

}  // namespace task::store::detail
