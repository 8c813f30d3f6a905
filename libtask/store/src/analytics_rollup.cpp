#include "analytics_rollup.hpp"

#include "execution_quarters.hpp"

namespace task::store::detail {

namespace {

/// Whether `since` is the first microsecond of its quarter hour: then that quarter is whole and
/// comes from the rollup too (which also holds pruned executions, docs/storage.md).
bool on_quarter_edge(Timestamp since) {
  return to_unix_micros(since) - quarter_hour_of(since) * 900000000 == 0;
}

}  // namespace

ExecutionTotals rollup_execution_totals(soci::session& s, const Dialect& d,
                                        std::optional<std::string_view> user_id, Timestamp since) {
  const std::int64_t first = quarter_hour_of(since);
  const bool edge = on_quarter_edge(since);
  Params p;
  // The quarter hour `since` falls in, unless it starts there: from the executions themselves
  // (index range of 0002).
  std::string partial = "SELECT " + quarter_totals_columns(d) + " FROM " +
                        d.table("task_executions") + " WHERE started_at >= " + p.add(since) +
                        " AND " + kQuarterHourOfStart + " = " + p.add(first) +
                        (user_id ? " AND user_id = " + p.add(std::string(*user_id)) : "") +
                        (edge ? " AND 1 = 0" : "") + " GROUP BY 1";
  // Whole quarter hours: the rollup rows.
  const std::string whole_from = edge ? " >= " : " > ";
  std::string whole =
      user_id
          ? "SELECT quarter_hour, executions, successful, failed, duration_sum, duration_count, " +
                saturated_credits(d, "credits") + ", tokens, api_calls FROM " +
                d.table("execution_rollup") + " WHERE user_id = " + p.add(std::string(*user_id)) +
                " AND quarter_hour" + whole_from + p.add(first) + " AND executions <> 0"
          : "SELECT quarter_hour, CAST(SUM(executions) AS BIGINT), CAST(SUM(successful) AS "
            "BIGINT), CAST(SUM(failed) AS BIGINT), CAST(SUM(duration_sum) AS BIGINT), "
            "CAST(SUM(duration_count) AS BIGINT), " +
                saturated_credits(d, "SUM(credits)") +
                ", CAST(SUM(tokens) AS BIGINT), CAST(SUM(api_calls) AS BIGINT) FROM " +
                d.table("execution_rollup") + " WHERE quarter_hour" + whole_from + p.add(first) +
                " GROUP BY quarter_hour HAVING SUM(executions) <> 0";
  QuarterTotalsSum sum;
  query(s, "SELECT * FROM (" + partial + ") a UNION ALL SELECT * FROM (" + whole + ") b ORDER BY 1",
        p, [&](const soci::row& r) { sum.add(r); });
  return sum.finish();
}

std::vector<StatsStore::QuarterTotals> rollup_execution_quarters(soci::session& s, const Dialect& d,
                                                                 std::string_view user_id,
                                                                 Timestamp since) {
  const std::int64_t first = quarter_hour_of(since);
  const bool edge = on_quarter_edge(since);
  Params p;
  const std::string user = std::string(user_id);
  std::string partial = std::string("SELECT ") + kQuarterHourOfStart +
                        ", COUNT(*), SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END), "
                        "SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), " +
                        credits_sum(d) + " FROM " + d.table("task_executions") +
                        " WHERE user_id = " + p.add(user) + " AND started_at >= " + p.add(since) +
                        " AND " + kQuarterHourOfStart + " = " + p.add(first) +
                        (edge ? " AND 1 = 0" : "") + " GROUP BY 1";
  std::string whole = "SELECT quarter_hour, executions, successful, failed, " +
                      saturated_credits(d, "credits") + " FROM " + d.table("execution_rollup") +
                      " WHERE user_id = " + p.add(user) + " AND quarter_hour" +
                      (edge ? " >= " : " > ") + p.add(first) + " AND executions <> 0";
  std::vector<StatsStore::QuarterTotals> out;
  query(s, "SELECT * FROM (" + partial + ") a UNION ALL SELECT * FROM (" + whole + ") b ORDER BY 1",
        p, [&](const soci::row& r) {
          out.push_back(
              {col_i64(r, 0), col_i64(r, 1), col_i64(r, 2), col_i64(r, 3), col_double(r, 4)});
        });
  return out;
}

}  // namespace task::store::detail
