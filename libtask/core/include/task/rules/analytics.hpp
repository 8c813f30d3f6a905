#pragma once
/// The analytics figures of docs/api.md §3 from repository aggregates. Pure.
///
/// Ownership: arguments are read during the call and never kept; results are values the caller
/// owns. Thread-safety: pure functions without shared state; safe from any number of threads.
/// (Time zones come from the date library's database, itself safe for concurrent lookups.)
#include <optional>
#include <string>

#include "task/domain/model.hpp"
#include "task/ports/repository.hpp"

namespace task {

/// Builds a user's Analytics for the last `days` days from task counts and execution totals;
/// busiest hours/days are bucketed in IANA zone `tz` (UTC when nullopt). Throws ValidationError
/// at {"query","tz"} for an unknown zone.
Analytics compute_analytics(const std::string& user_id, int days, const TaskCounts& counts,
                            const ExecutionTotals& totals, const std::optional<std::string>& tz,
                            Timestamp now);

/// Rounds to 2 decimals (half away from zero).
double round2(double v);

}  // namespace task
