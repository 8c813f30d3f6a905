#pragma once
/// The StatsStore role: the aggregates behind analytics (TaskService::analytics), the service
/// stats (TaskService::service_stats), the dashboard's series and its operator view (task-server).
///
/// Ownership: the storage object is shared (std::shared_ptr) by the service, the scheduler and
/// the event relay; every result is a copy the caller owns (no reference into storage escapes a
/// call); string_view and reference arguments are read during the call only.
/// Thread-safety: every method may be called from any number of threads at once (task::memory:
/// one mutex, so a callback must not call back into the repository; task::store: a pooled
/// connection per call).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "task/domain/model.hpp"

namespace task {

/// Non-deleted task counts, by status and by type.
struct TaskCounts {
  std::map<TaskStatus, std::int64_t> by_status;
  std::map<TaskType, std::int64_t> by_type;
};

/// Aggregates over executions started at or after a point in time.
struct ExecutionTotals {
  std::int64_t total = 0;
  std::int64_t successful = 0;     ///< status completed
  std::int64_t failed = 0;         ///< status failed
  double average_duration_ms = 0;  ///< over executions with a duration; 0 when none
  double credits = 0;
  std::int64_t tokens = 0;
  std::int64_t api_calls = 0;
  /// Execution counts per UTC quarter hour: (floor(unix_seconds / 900), count), ascending.
  /// Every real time zone offset is a multiple of 15 minutes, so the core can bucket these into
  /// local hours and weekdays of any zone exactly.
  std::vector<std::pair<std::int64_t, std::int64_t>> by_quarter_hour;
};

/// Counts and totals.
class StatsStore {
 public:
  virtual ~StatsStore() = default;
  /// Counts of non-deleted tasks; all users when `user_id` is nullopt.
  virtual TaskCounts count_tasks_by(std::optional<std::string_view> user_id) = 0;
  /// Execution aggregates since `since` (deleted tasks' executions included); all users when
  /// `user_id` is nullopt.
  virtual ExecutionTotals execution_totals(std::optional<std::string_view> user_id,
                                           Timestamp since) = 0;

  /// A run in flight, for the operator view: a non-deleted task with status `running` (any
  /// user), the lease on it and its `running` execution (when one is stored).
  struct RunInFlight {
    std::string task_id;
    std::string user_id;
    std::string name;
    TaskType task_type{};
    std::optional<std::string> lease_owner;     ///< replica id, or "manual:<execution_id>"
    std::optional<Timestamp> lease_expires_at;  ///< reclaimable after it
    std::optional<std::string> execution_id;    ///< the running execution, if stored
    std::optional<TriggerType> trigger;
    std::optional<Timestamp> scheduled_for;  ///< its slot; null for manual runs
    std::optional<Timestamp> started_at;
  };
  /// Up to `limit` (clamped to 0..1000) runs in flight across all users, oldest task row first
  /// (row id order); one statement.
  virtual std::vector<RunInFlight> list_runs_in_flight(int limit) = 0;

  /// Execution aggregates of one UTC quarter hour (floor(unix_seconds / 900)).
  struct QuarterTotals {
    std::int64_t quarter = 0;
    std::int64_t total = 0;
    std::int64_t successful = 0;  ///< status completed
    std::int64_t failed = 0;      ///< status failed
    double credits = 0;
  };
  /// Executions of `user_id` started at or after `since`, grouped by UTC quarter hour (only
  /// non-empty quarters), ascending; one statement. The dashboard's daily series buckets them
  /// into local days of any zone (every real offset is a multiple of 15 minutes).
  virtual std::vector<QuarterTotals> execution_quarters(std::string_view user_id,
                                                        Timestamp since) = 0;
};

}  // namespace task
