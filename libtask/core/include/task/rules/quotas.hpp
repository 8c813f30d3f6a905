#pragma once
/// Quotas per subscription level (docs/api.md §7 tasks, §10 executions per day); configurable.
///
/// Ownership: QuotaTable is a small value, copied where it is used. Thread-safety: reading a table
/// (or calling utc_day_start) from any number of threads is safe; changing a table while another
/// thread reads it is not.
#include <array>
#include <cstdint>
#include <optional>

#include "task/core/enums.hpp"
#include "task/core/time.hpp"

namespace task {

/// Limits indexed by SubscriptionLevel; nullopt = unlimited.
struct QuotaTable {
  std::array<std::optional<std::int64_t>, 4> tasks{5, 20, 100, std::nullopt};
  std::array<std::optional<std::int64_t>, 4> executions_per_day{10, 100, 1000, std::nullopt};

  /// Maximum number of non-deleted tasks at this level; nullopt = unlimited.
  std::optional<std::int64_t> task_limit(SubscriptionLevel level) const {
    return tasks[static_cast<std::size_t>(level)];
  }
  /// Maximum executions started per UTC day at this level; nullopt = unlimited.
  std::optional<std::int64_t> execution_limit(SubscriptionLevel level) const {
    return executions_per_day[static_cast<std::size_t>(level)];
  }
};

/// Midnight UTC of the day containing `t` (the start of the daily execution quota window).
Timestamp utc_day_start(Timestamp t);

}  // namespace task
