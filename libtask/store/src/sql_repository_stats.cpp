// Task counts and execution totals (analytics, service stats) of SqlRepository.

#include "analytics_rollup.hpp"
#include "codec.hpp"
#include "execution_quarters.hpp"
#include "sql_repository.hpp"

namespace task::store::detail {

namespace {

std::string user_filter(std::optional<std::string_view> user_id, Params& p) {
  return user_id ? " AND user_id = " + p.add(std::string(*user_id)) : std::string();
}

}  // namespace

TaskCounts SqlRepository::count_tasks_by(std::optional<std::string_view> user_id) {
  return db_->with_session([&](soci::session& s) {
    // One pass over (user_id, status, task_type) WHERE deleted_at IS NULL: index-only scan.
    TaskCounts counts;
    Params p;
    query(s,
          "SELECT status, task_type, COUNT(*) FROM " + t("user_tasks") +
              " WHERE deleted_at IS NULL" + user_filter(user_id, p) + " GROUP BY status, task_type",
          p, [&](const soci::row& r) {
            const std::int64_t n = col_i64(r, 2);
            counts.by_status[stored_enum<TaskStatus>(col_str(r, 0))] += n;
            counts.by_type[stored_enum<TaskType>(col_str(r, 1))] += n;
          });
    return counts;
  });
}

ExecutionTotals SqlRepository::execution_totals(std::optional<std::string_view> user_id,
                                                Timestamp since) {
  if (db_->options().analytics_rollup)  // O(quarter hours): analytics_rollup.cpp
    return db_->with_session(
        [&](soci::session& s) { return rollup_execution_totals(s, d(), user_id, since); });
  return db_->with_session([&](soci::session& s) {
    // One scan grouped by quarter hour; the totals are the sums of the groups. The redundant
    // quarter-hour bound lets PostgreSQL range-scan idx_executions_user_quarter (0002).
    QuarterTotalsSum sum;
    Params p;
    query(s,
          "SELECT " + quarter_totals_columns(d()) + " FROM " + t("task_executions") +
              " WHERE started_at >= " + p.add(since) + " AND " + kQuarterHourOfStart +
              " >= " + p.add(quarter_hour_of(since)) + user_filter(user_id, p) +
              " GROUP BY 1 ORDER BY 1",  // credits summed in quarter-hour order, as the rollup
          p, [&](const soci::row& r) { sum.add(r); });
    return sum.finish();
  });
}

}  // namespace task::store::detail
