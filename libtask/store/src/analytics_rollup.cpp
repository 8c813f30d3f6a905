#include "analytics_rollup.hpp"

#include "task/codec/json_numbers.hpp"

namespace task::store::detail {

namespace {

/// floor(started_at / 15 min) for micros, also for times before 1970 (the expression of 0002's
/// idx_executions_user_quarter and of 0005's triggers).
const char* const kQuarter =
    "((started_at - (((started_at % 900000000) + 900000000) % 900000000)) / 900000000)";

std::int64_t quarter_of(Timestamp t) {
  const std::int64_t us = to_unix_micros(t), q = 900000000;
  return (us - (((us % q) + q) % q)) / q;
}

}  // namespace

ExecutionTotals rollup_execution_totals(soci::session& s, const Dialect& d,
                                        std::optional<std::string_view> user_id, Timestamp since) {
  const std::int64_t first = quarter_of(since);
  Params p;
  auto credits = [&](const std::string& sum) {
    // The sum saturated at the largest double, per quarter hour, as the scan does.
    return d.pg() ? "CAST(LEAST(" + sum + ", 1.7976931348623157e308) AS DOUBLE PRECISION)"
                  : "CAST(" + sum + " AS DOUBLE PRECISION)";
  };
  // The quarter hour `since` falls in: from the executions themselves (index range of 0002).
  std::string partial = std::string("SELECT ") + kQuarter +
                        ", COUNT(*), SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END), "
                        "SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), "
                        "CAST(COALESCE(SUM(duration_ms), 0) AS BIGINT), COUNT(duration_ms), " +
                        credits(d.pg() ? "COALESCE(SUM(CAST(credits_consumed AS NUMERIC)), 0)"
                                       : "COALESCE(SUM(credits_consumed), 0)") +
                        ", CAST(COALESCE(SUM(tokens_used), 0) AS BIGINT), "
                        "CAST(COALESCE(SUM(api_calls_made), 0) AS BIGINT) FROM " +
                        d.table("task_executions") + " WHERE started_at >= " + p.add(since) +
                        " AND " + kQuarter + " = " + p.add(first) +
                        (user_id ? " AND user_id = " + p.add(std::string(*user_id)) : "") +
                        " GROUP BY 1";
  // Whole quarter hours after the first one: the rollup rows.
  std::string whole =
      user_id
          ? "SELECT quarter_hour, executions, successful, failed, duration_sum, duration_count, " +
                credits("credits") + ", tokens, api_calls FROM " + d.table("execution_rollup") +
                " WHERE user_id = " + p.add(std::string(*user_id)) + " AND quarter_hour > " +
                p.add(first) + " AND executions <> 0"
          : "SELECT quarter_hour, CAST(SUM(executions) AS BIGINT), CAST(SUM(successful) AS "
            "BIGINT), CAST(SUM(failed) AS BIGINT), CAST(SUM(duration_sum) AS BIGINT), "
            "CAST(SUM(duration_count) AS BIGINT), " +
                credits("SUM(credits)") +
                ", CAST(SUM(tokens) AS BIGINT), CAST(SUM(api_calls) AS BIGINT) FROM " +
                d.table("execution_rollup") + " WHERE quarter_hour > " + p.add(first) +
                " GROUP BY quarter_hour HAVING SUM(executions) <> 0";
  ExecutionTotals totals;
  std::int64_t duration_sum = 0, duration_count = 0;
  query(s, "SELECT * FROM (" + partial + ") a UNION ALL SELECT * FROM (" + whole + ") b ORDER BY 1",
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
  if (duration_count > 0)
    totals.average_duration_ms =
        static_cast<double>(duration_sum) / static_cast<double>(duration_count);
  return totals;
}

}  // namespace task::store::detail
