// Tasks, modify_task and the scheduler queries of SqlRepository.
#include <algorithm>
#include <stdexcept>

#include "codec.hpp"
#include "sql_repository.hpp"
#include "task/core/errors.hpp"

namespace task::store::detail {

namespace {

/// First key of the advisory locks that serialise quota inserts per user (PostgreSQL).
constexpr int kQuotaLockClass = 7411;

const char* const kPriorityRank =
    "(CASE priority WHEN 'urgent' THEN 3 WHEN 'high' THEN 2 WHEN 'medium' THEN 1 ELSE 0 END)";

constexpr Priority kPriorities[] = {Priority::urgent, Priority::high, Priority::medium,
                                    Priority::low};

/// WHERE and ORDER BY of the due tasks of one priority (a range of idx_tasks_due_priority).
std::string due_where(Priority priority, Params& p, Timestamp now, const std::string& skip) {
  return " WHERE status = 'scheduled' AND deleted_at IS NULL AND priority = " +
         p.add(std::string(to_string(priority))) + " AND next_run_time <= " + p.add(now) +
         " AND (lease_expires_at IS NULL OR lease_expires_at <= " + p.add(now) + ")" + skip +
         " ORDER BY next_run_time, id";
}

/// WHERE and ORDER BY of runs whose worker died (a range of idx_tasks_running_lease).
std::string lost_where(Params& p, Timestamp now, const std::string& skip) {
  return " WHERE status = 'running' AND deleted_at IS NULL AND lease_owner IS NOT NULL"
         " AND lease_expires_at <= " +
         p.add(now) + skip + " ORDER BY lease_expires_at, id";
}

/// `%text%` with LIKE wildcards escaped by a backslash.
std::string like_pattern(const std::string& text) {
  std::string out = "%";
  for (char c : text) {
    if (c == '\\' || c == '%' || c == '_') out += '\\';
    out += c;
  }
  return out + "%";
}

/// WHERE clause of a task listing (without keyset and paging).
std::string list_filter(const Dialect& d, const TaskQuery& q, Params& p) {
  std::string w = " WHERE deleted_at IS NULL AND user_id = " + p.add(q.user_id);
  if (q.status) w += " AND status = " + p.add(std::string(to_string(*q.status)));
  if (q.task_type) w += " AND task_type = " + p.add(std::string(to_string(*q.task_type)));
  if (q.priority) w += " AND priority = " + p.add(std::string(to_string(*q.priority)));
  if (!q.tags.empty()) w += " AND " + d.tags_contain("tags", p.add(tags_text(d, q.tags)));
  if (q.due_before) w += " AND due_date < " + p.add(*q.due_before);
  if (q.due_after) w += " AND due_date > " + p.add(*q.due_after);
  if (q.q) w += " AND name" + d.ilike() + p.add(like_pattern(*q.q)) + " ESCAPE '\\'";
  return w;
}

}  // namespace

SqlRepository::SqlRepository(std::unique_ptr<Database> db) : db_(std::move(db)) {}

void SqlRepository::skipped(const Unreadable& e) {
  ++unreadable_;
  if (hook_) {
    try {
      hook_(e);
    } catch (...) {
      // a failing reporter must not fail the read
    }
  }
}

std::string SqlRepository::skip_unreadable() {
  std::lock_guard lock(unreadable_mutex_);
  const auto now = std::chrono::steady_clock::now();
  if (now - unreadable_since_ > std::chrono::minutes(5)) {
    unreadable_ids_.clear();
    unreadable_since_ = now;
  }
  if (unreadable_ids_.empty()) return {};
  std::string out = " AND id NOT IN (";
  for (const auto id : unreadable_ids_)
    out += (out.back() == '(' ? "" : ", ") + std::to_string(id);
  return out + ")";
}

std::optional<Task> SqlRepository::decode_task(const soci::row& r, OnUnreadable mode) {
  try {
    return task_from_row(r);
  } catch (const std::exception& e) {
    std::string id = "?";
    try {
      id = col_str(r, 1);
      std::lock_guard lock(unreadable_mutex_);
      if (unreadable_ids_.size() < 1000) unreadable_ids_.insert(col_i64(r, 0));
    } catch (...) {
      // keep "?"
    }
    Unreadable error("user_tasks", id, e.what());
    if (mode == OnUnreadable::fail) throw error;
    skipped(error);
    return std::nullopt;
  }
}

std::optional<Execution> SqlRepository::decode_execution(const soci::row& r, OnUnreadable mode) {
  try {
    return execution_from_row(r);
  } catch (const std::exception& e) {
    std::string id = "?";
    try {
      id = col_str(r, 1);
    } catch (...) {
      // keep "?"
    }
    Unreadable error("task_executions", id, e.what());
    if (mode == OnUnreadable::fail) throw error;
    skipped(error);
    return std::nullopt;
  }
}

std::vector<Task> SqlRepository::select_tasks(soci::session& s, const std::string& rest, Params& p,
                                              OnUnreadable mode) {
  std::vector<Task> out;
  query(s, "SELECT " + task_columns(d()) + " FROM " + t("user_tasks") + rest, p,
        [&](const soci::row& r) {
          if (auto task = decode_task(r, mode)) out.push_back(std::move(*task));
        });
  return out;
}

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

void SqlRepository::restore(const Task& task, const std::vector<Execution>& executions) {
  if (task.id <= 0) throw std::invalid_argument("restore: task row id must be positive");
  for (const auto& x : executions)
    if (x.id <= 0 || x.task_id != task.task_id)
      throw std::invalid_argument("restore: execution " + x.execution_id +
                                  " needs a positive row id and task " + task.task_id);
  db_->in_transaction([&](soci::session& s) {
    // Plain INSERTs with explicit ids: any taken unique key (task_id, execution_id, id, slot)
    // fails the statement, which Database maps to Conflict after the rollback.
    Params p;
    auto [cols, vals] = task_values(d(), task, p);
    execute(s,
            "INSERT INTO " + t("user_tasks") + " (id, " + cols + ") VALUES (" + p.add(task.id) +
                ", " + vals + ")",
            p);
    for (const auto& x : executions) {
      Params xp;
      auto [xcols, xvals] = execution_values(d(), x, xp);
      execute(s,
              "INSERT INTO " + t("task_executions") + " (id, " + xcols + ") VALUES (" +
                  xp.add(x.id) + ", " + xvals + ")",
              xp);
    }
    if (!d().pg()) return;  // SQLite's AUTOINCREMENT counter follows explicit ids by itself
    // PostgreSQL's sequences do not: move them past the restored ids, never backwards (the
    // value nextval takes here is handed out again by the next insert).
    for (const char* table : {"user_tasks", "task_executions"}) {
      if (std::string(table) == "task_executions" && executions.empty()) continue;
      const std::string seq = "pg_get_serial_sequence('" + t(table) + "', 'id')";
      Params sp;
      query_int(s,
                "SELECT setval(" + seq + ", GREATEST((SELECT MAX(id) FROM " + t(table) +
                    "), nextval(" + seq + ") - 1))",
                sp);
    }
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

std::int64_t SqlRepository::count_tasks(std::string_view user_id) {
  return db_->with_session([&](soci::session& s) {
    Params p;
    return query_int(s,
                     "SELECT COUNT(*) FROM " + t("user_tasks") +
                         " WHERE deleted_at IS NULL AND user_id = " + p.add(std::string(user_id)),
                     p)
        .value_or(0);
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

std::vector<Task> SqlRepository::list_due_tasks(Timestamp now, int limit) {
  return db_->with_session([&](soci::session& s) {
    Params p;
    return select_tasks(s,
                        " WHERE status = 'scheduled' AND deleted_at IS NULL AND next_run_time <= " +
                            p.add(now) + skip_unreadable() + " ORDER BY " + kPriorityRank +
                            " DESC, next_run_time, id LIMIT " + p.add(std::max(limit, 0)),
                        p);
  });
}

void SqlRepository::claim_rows(soci::session& s, const std::string& where, Params& p, int n,
                               std::string_view owner, Timestamp until, std::vector<Task>& out) {
  if (n <= 0) return;
  // One statement: pick rows matching `where` (locked, skipping rows another claim holds) and
  // lease them to `owner`.
  const std::string picked = "SELECT id FROM " + t("user_tasks") + where + " LIMIT " + p.add(n) +
                             d().for_update_skip_locked();
  const std::string sql = "WITH picked AS (" + picked + ") UPDATE " + t("user_tasks") +
                          " SET lease_owner = " + p.add(std::string(owner)) +
                          ", lease_expires_at = " + p.add(until) +
                          " WHERE id IN (SELECT id FROM picked) RETURNING " + task_columns(d());
  const auto first = out.size();
  query(s, sql, p, [&](const soci::row& r) {
    if (auto task = decode_task(r, OnUnreadable::skip)) out.push_back(std::move(*task));
  });
  // RETURNING gives rows in no particular order: restore the claim order.
  std::stable_sort(
      out.begin() + static_cast<std::ptrdiff_t>(first), out.end(),
      [](const Task& a, const Task& b) {
        if (a.status != b.status) return false;  // one kind per statement
        if (a.status == TaskStatus::running && a.lease_expires_at != b.lease_expires_at)
          return a.lease_expires_at < b.lease_expires_at;
        if (a.next_run_time != b.next_run_time) return a.next_run_time < b.next_run_time;
        return a.id < b.id;
      });
}

std::vector<Task> SqlRepository::claim_due_tasks(Timestamp now, int limit, std::string_view owner,
                                                 std::chrono::microseconds lease) {
  return db_->in_transaction([&](soci::session& s) {
    std::vector<Task> out;
    Params lost;
    claim_rows(s, lost_where(lost, now, skip_unreadable()), lost, std::max(limit, 0), owner,
               now + lease, out);
    // Then due tasks, one priority at a time (urgent first), each in slot order: every claim
    // is a range scan of idx_tasks_due_priority, never a sort of the whole backlog.
    for (const Priority priority : kPriorities) {
      Params p;
      claim_rows(s, due_where(priority, p, now, skip_unreadable()), p,
                 std::max(limit, 0) - static_cast<int>(out.size()), owner, now + lease, out);
    }
    return out;
  });
}

std::vector<Task> SqlRepository::claim_lost_runs(Timestamp now, int limit, std::string_view owner,
                                                 std::chrono::microseconds lease) {
  return db_->in_transaction([&](soci::session& s) {
    std::vector<Task> out;
    Params p;
    claim_rows(s, lost_where(p, now, skip_unreadable()), p, std::max(limit, 0), owner, now + lease,
               out);
    return out;
  });
}

std::vector<std::pair<Task, std::optional<Change>>> SqlRepository::modify_due_tasks(
    Timestamp now, int limit, const std::function<std::optional<Change>(const Task&)>& fn) {
  return db_->in_transaction([&](soci::session& s) {
    std::vector<Task> picked;
    for (const Priority priority : kPriorities) {
      const int n = std::max(limit, 0) - static_cast<int>(picked.size());
      if (n <= 0) break;
      Params p;
      // Rows locked now stay locked until the changes below are written (no lease UPDATE).
      for (auto& task : select_tasks(s,
                                     due_where(priority, p, now, skip_unreadable()) + " LIMIT " +
                                         p.add(n) + d().for_update_skip_locked(),
                                     p))
        picked.push_back(std::move(task));
    }
    std::vector<const Task*> rows;
    for (const auto& task : picked)
      rows.push_back(&task);
    auto written = change_rows(s, rows, fn);
    std::vector<std::pair<Task, std::optional<Change>>> out;
    for (std::size_t i = 0; i < picked.size(); ++i)
      out.emplace_back(std::move(picked[i]), std::move(written[i]));
    return out;
  });
}

std::optional<Timestamp> SqlRepository::earliest_due_time() {
  return db_->with_session([&](soci::session& s) -> std::optional<Timestamp> {
    Params p;
    auto v = query_int(s,
                       "SELECT MIN(next_run_time) FROM " + t("user_tasks") +
                           " WHERE status = 'scheduled' AND deleted_at IS NULL" + skip_unreadable(),
                       p);
    if (!v) return std::nullopt;
    return from_unix_micros(*v);
  });
}

std::vector<Task> SqlRepository::list_due_reminders(Timestamp now, int limit) {
  return db_->with_session([&](soci::session& s) {
    Params p;
    return select_tasks(s,
                        " WHERE reminder_time <= " + p.add(now) +
                            " AND reminder_sent_at IS NULL AND deleted_at IS NULL AND NOT "
                            "is_completed AND status NOT IN ('completed', 'cancelled')" +
                            skip_unreadable() + " ORDER BY reminder_time, id LIMIT " +
                            p.add(std::max(limit, 0)),
                        p);
  });
}

std::vector<std::string> SqlRepository::list_open_task_ids(std::string_view user_id) {
  return db_->with_session([&](soci::session& s) {
    Params p;
    std::vector<std::string> out;
    query(s,
          "SELECT task_id FROM " + t("user_tasks") +
              " WHERE deleted_at IS NULL AND user_id = " + p.add(std::string(user_id)) +
              " AND status NOT IN ('cancelled', 'completed') ORDER BY id",
          p, [&](const soci::row& r) { out.push_back(col_str(r, 0)); });
    return out;
  });
}

}  // namespace task::store::detail
