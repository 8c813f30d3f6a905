#include "analytics_rollup.hpp"

#include "execution_quarters.hpp"

namespace task::store::detail {

ExecutionTotals rollup_execution_totals(soci::session& s, const Dialect& d,
                                        std::optional<std::string_view> user_id, Timestamp since) {
  const std::int64_t first = quarter_hour_of(since);
  Params p;
  // The quarter hour `since` falls in: from the executions themselves (index range of 0002).
  std::string partial = "SELECT " + quarter_totals_columns(d) + " FROM " +
                        d.table("task_executions") + " WHERE started_at >= " + p.add(since) +
                        " AND " + kQuarterHourOfStart + " = " + p.add(first) +
                        (user_id ? " AND user_id = " + p.add(std::string(*user_id)) : "") +
                        " GROUP BY 1";
  // Whole quarter hours after the first one: the rollup rows.
  std::string whole =
      user_id
          ? "SELECT quarter_hour, executions, successful, failed, duration_sum, duration_count, " +
                saturated_credits(d, "credits") + ", tokens, api_calls FROM " +
                d.table("execution_rollup") + " WHERE user_id = " + p.add(std::string(*user_id)) +
                " AND quarter_hour > " + p.add(first) + " AND executions <> 0"
          : "SELECT quarter_hour, CAST(SUM(executions) AS BIGINT), CAST(SUM(successful) AS "
            "BIGINT), CAST(SUM(failed) AS BIGINT), CAST(SUM(duration_sum) AS BIGINT), "
            "CAST(SUM(duration_count) AS BIGINT), " +
                saturated_credits(d, "SUM(credits)") +
                ", CAST(SUM(tokens) AS BIGINT), CAST(SUM(api_calls) AS BIGINT) FROM " +
                d.table("execution_rollup") + " WHERE quarter_hour > " + p.add(first) +
                " GROUP BY quarter_hour HAVING SUM(executions) <> 0";
  QuarterTotalsSum sum;
  query(s, "SELECT * FROM (" + partial + ") a UNION ALL SELECT * FROM (" + whole + ") b ORDER BY 1",
        p, [&](const soci::row& r) { sum.add(r); });
  return sum.finish();
}

}  // namespace task::store::detail
