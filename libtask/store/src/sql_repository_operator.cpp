// The operator's and the dashboard's reads of SqlRepository (added apart from the role files):
// runs in flight across all users, and a user's executions by quarter hour.
#include <set>

#include "analytics_rollup.hpp"
#include "codec.hpp"
#include "execution_quarters.hpp"
#include "sql_repository.hpp"

namespace task::store::detail {

std::vector<TaskRepository::RunInFlight> SqlRepository::list_runs_in_flight(int limit) {
  return db_->with_session([&](soci::session& s) {
    // One statement: the running task rows (idx on status) with their running execution, if
    // any. A task has at most one running execution (runs conflict), so rows are per task.
    Params p;
    std::vector<RunInFlight> out;
    std::set<std::string> seen;
    query(s,
          "SELECT t.task_id, t.user_id, t.name, t.task_type, t.lease_owner, t.lease_expires_at, "
          "e.execution_id, e.trigger_type, e.scheduled_for, e.started_at FROM " +
              t("user_tasks") + " t LEFT JOIN " + t("task_executions") +
              " e ON e.task_id = t.task_id AND e.status = 'running'"
              " WHERE t.status = 'running' AND t.deleted_at IS NULL ORDER BY t.id, e.id LIMIT " +
              p.add(std::clamp(limit, 0, 1000)),
          p, [&](const soci::row& r) {
            RunInFlight run;
            run.task_id = col_str(r, 0);
            if (!seen.insert(run.task_id).second) return;
            const auto type = parse_enum<TaskType>(col_str(r, 3));
            if (!type) {
              skipped(Unreadable("user_tasks", run.task_id, "unknown task_type"));
              return;
            }
            run.user_id = col_str(r, 1);
            run.name = col_str(r, 2);
            run.task_type = *type;
            run.lease_owner = col_opt_str(r, 4);
            run.lease_expires_at = col_opt_time(r, 5);
            run.execution_id = col_opt_str(r, 6);
            if (auto trigger = col_opt_str(r, 7)) run.trigger = parse_enum<TriggerType>(*trigger);
            run.scheduled_for = col_opt_time(r, 8);
            run.started_at = col_opt_time(r, 9);
            out.push_back(std::move(run));
          });
    return out;
  });
}

std::vector<TaskRepository::QuarterTotals> SqlRepository::execution_quarters(
    std::string_view user_id, Timestamp since) {
  if (db_->options().analytics_rollup)  // O(quarter hours), pruned executions included
    return db_->with_session(
        [&](soci::session& s) { return rollup_execution_quarters(s, d(), user_id, since); });
  return db_->with_session([&](soci::session& s) {
    Params p;
    std::vector<QuarterTotals> out;
    query(s,
          std::string("SELECT ") + kQuarterHourOfStart +
              ", COUNT(*), SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END), "
              "SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), " +
              credits_sum(d()) + " FROM " + t("task_executions") +
              " WHERE user_id = " + p.add(std::string(user_id)) +
              " AND started_at >= " + p.add(since) + " AND " + kQuarterHourOfStart +
              " >= " + p.add(quarter_hour_of(since)) + " GROUP BY 1 ORDER BY 1",
          p, [&](const soci::row& r) {
            out.push_back(
                {col_i64(r, 0), col_i64(r, 1), col_i64(r, 2), col_i64(r, 3), col_double(r, 4)});
          });
    return out;
  });
}

}  // namespace task::store::detail
