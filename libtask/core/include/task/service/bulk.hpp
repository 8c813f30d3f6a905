#pragma once
/// Bulk operations (docs/api.md §16, "Bulk operations"; the decisions in docs/api.md Part 2): one
/// action on up to 1,000 of the caller's tasks, named by id or by a §8 list filter, each through
/// the same TaskService call as the single-task operation (so the §9 rules, the quotas and the
/// events are those of one change). Shared by task-server (POST /api/v1/tasks/bulk) and task-cli's
/// local mode (`task-cli bulk`); pure over the service.
///
///   auto request = task::parse_bulk_request(body);             // 422 ValidationError
///   auto outcome = task::run_bulk(service, caller, request, run_one);
///   // outcome.body: {"action","matched","changed","results":[...]}
///
/// Thread-safety: the functions keep no state; they are as safe as the service and the runner.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "task/rules/requests.hpp"
#include "task/service/task_service.hpp"

namespace task {

/// The most tasks one bulk operation acts on (ids given, or tasks a filter matches).
inline constexpr std::size_t kMaxBulkTasks = 1000;

/// A validated bulk request: `task_ids` (distinct, 1-1000) or `filter` (list query parameters).
struct BulkRequest {
  std::string action;  ///< pause | resume | cancel | delete | run
  std::vector<std::string> task_ids;
  std::optional<QueryParams> filter;
};

/// Validates a bulk body; every problem as a field error under ["body",…] (422).
BulkRequest parse_bulk_request(const boost::json::value& body);

/// Queues (or runs) one manual run of `task_id` for the caller and returns it as started; throws
/// what TaskService::start_execution throws (quotas, 409 while a run is active, 503 pool full).
using BulkRunner = std::function<StartedRun(const std::string& task_id)>;

/// The response of a bulk operation.
struct BulkOutcome {
  /// {"action","matched","changed","results":[{"task_id","ok","status"[,"execution_id"]
  /// [,"error":{"status","detail"}]}]}
  boost::json::object body;
  std::int64_t changed = 0;  ///< tasks changed (the caller persists/relays after > 0)
  std::string
      internal_error;  ///< text of the last unexpected per-task failure (to log; never sent)
};

/// Applies `request` to the caller's tasks one by one; a failing task is reported in `results`
/// with the status and detail its single operation would answer, the others still change. Others'
/// and unknown ids are 404 results and not counted in `matched`. 422 (ValidationError) when the
/// filter is invalid or matches more than kMaxBulkTasks tasks (nothing changes then).
BulkOutcome run_bulk(TaskService& service, const Caller& caller, const BulkRequest& request,
                     const BulkRunner& run);

}  // namespace task
