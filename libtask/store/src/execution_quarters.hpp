#pragma once
/// The quarter-hour grouping of task_executions that analytics, the rollup of migration 0005 and
/// the dashboard's series share: one SQL expression, its C++ twin, the credit sum and the
/// accumulation of grouped rows into ExecutionTotals.
#include <cstdint>
#include <string>

#include "dialect.hpp"
#include "sql_exec.hpp"
#include "task/ports/repository.hpp"

namespace task::store::detail {

/// floor(started_at / 15 min) for micros, also for times before 1970: the expression of 0002's
/// idx_executions_user_quarter and of 0005's triggers (a query repeating it can range-scan that
/// index on PostgreSQL).
extern const char* const kQuarterHourOfStart;

/// The value of kQuarterHourOfStart for started_at = t.
std::int64_t quarter_hour_of(Timestamp t);

/// `sum` (an SQL sum of credits) as a double. PostgreSQL's float8 SUM fails on overflow, so
/// there the caller sums exactly (see credits_sum) and this saturates at the largest double
/// (totals never become null; docs/api.md "Numbers in JSON").
std::string saturated_credits(const Dialect& d, const std::string& sum);

/// SUM(credits_consumed) of task_executions, exact on PostgreSQL (NUMERIC), saturated.
std::string credits_sum(const Dialect& d);

/// The nine columns one quarter hour of executions is read as, in this order: quarter hour,
/// count, successful, failed, duration sum, duration count, credits, tokens, API calls.
std::string quarter_totals_columns(const Dialect& d);

/// Sums rows of quarter_totals_columns (or the rollup's equal columns) into ExecutionTotals.
class QuarterTotalsSum {
 public:
  void add(const soci::row& r);
  ExecutionTotals finish();

 private:
  ExecutionTotals totals_;
  std::int64_t duration_sum_ = 0, duration_count_ = 0;
};

}  // namespace task::store::detail
