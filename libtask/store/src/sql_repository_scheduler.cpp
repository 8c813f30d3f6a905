// The scheduler's queries of SqlRepository: due tasks, claims, lost runs, the batched slot
// start and reminders.
#include <algorithm>

#include "codec.hpp"
#include "sql_repository.hpp"

namespace task::store::detail {

namespace {

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

}  // namespace

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

std::vector<Task> SqlRepository::lock_due_by_priority(soci::session& s, Timestamp now, int limit) {
  std::vector<Task> picked;
  for (const Priority priority : kPriorities) {
    const int n = std::max(limit, 0) - static_cast<int>(picked.size());
    if (n <= 0) break;
    Params p;
    // Rows locked now stay locked until the changes are written (no lease UPDATE).
    for (auto& task : select_tasks(s,
                                   due_where(priority, p, now, skip_unreadable()) + " LIMIT " +
                                       p.add(n) + d().for_update_skip_locked(),
                                   p))
      picked.push_back(std::move(task));
  }
  return picked;
}

std::vector<std::pair<Task, std::optional<Change>>> SqlRepository::modify_due_tasks(
    Timestamp now, int limit, const ClaimFairness& fairness,
    const std::function<std::optional<Change>(const Task&)>& fn) {
  return db_->in_transaction([&](soci::session& s) {
    std::vector<Task> picked = fairness.enabled ? lock_due_fairly(s, now, limit, fairness)
                                                : lock_due_by_priority(s, now, limit);
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

}  // namespace task::store::detail
