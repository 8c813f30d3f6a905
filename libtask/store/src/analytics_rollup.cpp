#include "analytics_rollup.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include "execution_quarters.hpp"
#include "task/codec/json_numbers.hpp"

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
  // One row per quarter hour carries only what is per quarter (kind 0: its count, and its
  // credits, which are summed in C++ as the scan sums them: saturating doubles); three more rows
  // (kinds 1-3) carry the integer totals, two each, summed by the database. The 2,880 quarter
  // hours of a 30-day window then cross the wire as 4 columns instead of 9 (docs/performance.md,
  // "analytics").
  auto sums = [](int kind, const char* a, const char* b) {
    return " UNION ALL SELECT " + std::to_string(kind) + ", CAST(COALESCE(SUM(" + a +
           "), 0) AS BIGINT), CAST(COALESCE(SUM(" + b + "), 0) AS BIGINT), NULL FROM q";
  };
  const std::string q = "WITH q(qh, n, ok, bad, dur, durn, cr, tok, api) AS (SELECT * FROM (" +
                        partial + ") a UNION ALL SELECT * FROM (" + whole +
                        ") b) SELECT 0, qh, n, cr FROM q" + sums(1, "ok", "bad") +
                        sums(2, "dur", "durn") + sums(3, "tok", "api");
  ExecutionTotals totals;
  std::vector<std::pair<std::int64_t, double>> credits;  // per quarter hour
  std::int64_t duration_sum = 0, duration_count = 0;
  query(s, q, p, [&](const soci::row& r) {
    const std::int64_t a = col_i64(r, 1), b = col_i64(r, 2);
    switch (col_i64(r, 0)) {
      case 0:
        totals.by_quarter_hour.emplace_back(a, b);
        totals.total += b;
        credits.emplace_back(a, col_double(r, 3));
        break;
      case 1:
        totals.successful = a;
        totals.failed = b;
        break;
      case 2:
        duration_sum = a;
        duration_count = b;
        break;
      default:
        totals.tokens = a;
        totals.api_calls = b;
    }
  });
  std::sort(totals.by_quarter_hour.begin(), totals.by_quarter_hour.end());
  std::sort(credits.begin(), credits.end());  // summed in quarter-hour order, as the scan does
  for (const auto& [quarter, c] : credits)
    totals.credits = saturating_add(totals.credits, c);
  if (duration_count > 0)
    totals.average_duration_ms =
        static_cast<double>(duration_sum) / static_cast<double>(duration_count);
  return totals;
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
