// Task counts and execution totals (analytics, service stats) of SqlRepository.
#include <algorithm>

#include "analytics_rollup.hpp"
#include "codec.hpp"
#include "sql_repository.hpp"
#include "task/codec/json_numbers.hpp"

namespace task::store::detail {

namespace {

/// floor(started_at / 15 min) for micros, also for times before 1970.
const char* const kQuarterHour =
    "((started_at - (((started_at % 900000000) + 900000000) % 900000000)) / 900000000)";

/// floor(t / 15 min), the value of kQuarterHour for started_at = t.
std::int64_t quarter_hour_of(Timestamp t) {
  const std::int64_t us = to_unix_micros(t), q = 900000000;
  return (us - (((us % q) + q) % q)) / q;
}

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
    ExecutionTotals totals;
    std::int64_t duration_sum = 0, duration_count = 0;
    Params p;
    query(s,
          std::string("SELECT ") + kQuarterHour +
              ", COUNT(*), SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END), "
              "SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), "
              "CAST(COALESCE(SUM(duration_ms), 0) AS BIGINT), COUNT(duration_ms), " +
              // PostgreSQL's float8 SUM fails on overflow: sum exactly, saturate at the
              // largest double (totals never become null; docs/api.md "Numbers in JSON").
              (d().pg() ? "CAST(LEAST(COALESCE(SUM(CAST(credits_consumed AS NUMERIC)), 0), "
                          "1.7976931348623157e308) AS DOUBLE PRECISION), "
                        : "CAST(COALESCE(SUM(credits_consumed), 0) AS DOUBLE PRECISION), ") +
              "CAST(COALESCE(SUM(tokens_used), 0) AS BIGINT), "
              "CAST(COALESCE(SUM(api_calls_made), 0) AS BIGINT) FROM " +
              t("task_executions") + " WHERE started_at >= " + p.add(since) + " AND " +
              kQuarterHour + " >= " + p.add(quarter_hour_of(since)) + user_filter(user_id, p) +
              " GROUP BY 1 ORDER BY 1",  // credits summed in quarter-hour order, as the rollup
          p, [&](const soci::row& r) {
            const std::int64_t n = col_i64(r, 1);
            totals.by_quarter_hour.emplace_back(col_i64(r, 0), n);
            totals.total += n;
            totals.successful += col_i64(r, 2);
            totals.failed += col_i64(r, 3);
            duration_sum += col_i64(r, 4);
            duration_count += col_i64(r, 5);
            totals.credits = saturating_add(totals.credits, col_double(r, 6));
            totals.tokens += col_i64(r, 7);
            totals.api_calls += col_i64(r, 8);
          });
    std::sort(totals.by_quarter_hour.begin(), totals.by_quarter_hour.end());
    if (duration_count > 0)
      totals.average_duration_ms =
          static_cast<double>(duration_sum) / static_cast<double>(duration_count);
    return totals;
  });
}

}  // namespace task::store::detail
