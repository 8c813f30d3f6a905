#pragma once
/// execution_totals read from the rollup of migration 0005 (sql/*/0005_execution_rollup.sql):
/// whole quarter hours of the window from execution_rollup, the quarter hour `since` falls in
/// from task_executions, so the cost is O(quarter hours in the window), not O(executions).
#include <optional>
#include <string_view>
#include <vector>

#include "dialect.hpp"
#include "sql_exec.hpp"
#include "task/ports/repository.hpp"

namespace task::store::detail {

/// The same ExecutionTotals as the scan of task_executions (SqlRepository::execution_totals with
/// StoreOptions::analytics_rollup off): integers and per-quarter-hour counts exactly; credits
/// exactly on PostgreSQL (NUMERIC sums), on SQLite up to the rounding of REAL additions.
/// A `since` on a quarter-hour edge reads that quarter from the rollup as well, so windows on
/// quarter-hour edges (the dashboard's local days) also count pruned executions (migration 0010).
ExecutionTotals rollup_execution_totals(soci::session& s, const Dialect& d,
                                        std::optional<std::string_view> user_id, Timestamp since);

/// StatsStore::execution_quarters from the rollup the same way: the same rows as the scan of
/// task_executions (credits exactly on PostgreSQL, on SQLite up to the rounding of REAL sums).
std::vector<StatsStore::QuarterTotals> rollup_execution_quarters(soci::session& s, const Dialect& d,
                                                                 std::string_view user_id,
                                                                 Timestamp since);

}  // namespace task::store::detail
