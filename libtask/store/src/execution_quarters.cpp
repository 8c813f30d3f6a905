#include "execution_quarters.hpp"

#include <algorithm>

#include "task/codec/json_numbers.hpp"

namespace task::store::detail {

const char* const kQuarterHourOfStart =
    "((started_at - (((started_at % 900000000) + 900000000) % 900000000)) / 900000000)";

std::int64_t quarter_hour_of(Timestamp t) {
  const std::int64_t us = to_unix_micros(t), q = 900000000;
  return (us - (((us % q) + q) % q)) / q;
}

std::string saturated_credits(const Dialect& d, const std::string& sum) {
  return d.pg() ? "CAST(LEAST(" + sum + ", 1.7976931348623157e308) AS DOUBLE PRECISION)"
                : "CAST(" + sum + " AS DOUBLE PRECISION)";
}

std::string credits_sum(const Dialect& d) {
  return saturated_credits(d, d.pg() ? "COALESCE(SUM(CAST(credits_consumed AS NUMERIC)), 0)"
                                     : "COALESCE(SUM(credits_consumed), 0)");
}

std::string quarter_totals_columns(const Dialect& d) {
  return std::string(kQuarterHourOfStart) +
         ", COUNT(*), SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END), "
         "SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), "
         "CAST(COALESCE(SUM(duration_ms), 0) AS BIGINT), COUNT(duration_ms), " +
         credits_sum(d) +
         ", CAST(COALESCE(SUM(tokens_used), 0) AS BIGINT), "
         "CAST(COALESCE(SUM(api_calls_made), 0) AS BIGINT)";
}

void QuarterTotalsSum::add(const soci::row& r) {
  const std::int64_t n = col_i64(r, 1);
  totals_.by_quarter_hour.emplace_back(col_i64(r, 0), n);
  totals_.total += n;
  totals_.successful += col_i64(r, 2);
  totals_.failed += col_i64(r, 3);
  duration_sum_ += col_i64(r, 4);
  duration_count_ += col_i64(r, 5);
  totals_.credits = saturating_add(totals_.credits, col_double(r, 6));
  totals_.tokens += col_i64(r, 7);
  totals_.api_calls += col_i64(r, 8);
}

ExecutionTotals QuarterTotalsSum::finish() {
  std::sort(totals_.by_quarter_hour.begin(), totals_.by_quarter_hour.end());
  if (duration_count_ > 0)
    totals_.average_duration_ms =
        static_cast<double>(duration_sum_) / static_cast<double>(duration_count_);
  return std::move(totals_);
}

}  // namespace task::store::detail
