#pragma once
/// The request rules of upcoming runs and schedule previews (docs/api.md §16 "Upcoming runs"):
/// GET /api/v1/tasks/{task_id}/upcoming?count=N and POST /api/v1/schedules/preview. One
/// implementation for task-server and task-cli (local mode); the slots come from
/// task/schedule/upcoming.hpp, the scheduler's own schedule code.
///
/// Ownership: plain values. Thread-safety: pure functions.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <string>
#include <vector>

#include "task/core/time.hpp"
#include "task/domain/model.hpp"

namespace task {

/// Bounds of `count` (both endpoints).
inline constexpr std::size_t kUpcomingDefault = 10;
inline constexpr std::size_t kUpcomingMax = 100;

/// The answer of both endpoints: the zone of the schedule and its slots.
struct UpcomingRuns {
  std::string timezone = "UTC";
  std::vector<Timestamp> runs;
};

/// `count` from a JSON value (a number or, from a query string, its text): absent or null ->
/// 10; else an integer 1..100, otherwise ValidationError at `loc` ("int_parsing" for text that
/// is not an integer, "int_type" for another JSON type, "value_error" out of range).
std::size_t upcoming_count(const boost::json::value* v, const std::vector<std::string>& loc);

/// The next `count` slots of a stored task at `now`: empty unless the task is `scheduled` with
/// a next_run_time and a schedule (paused, completed, running, todo-family tasks: empty).
/// A stored schedule that no longer parses also gives empty runs (the scheduler runs such a
/// slot once and stops; see Scheduler::plan_slot).
UpcomingRuns upcoming_of(const Task& task, Timestamp now, std::size_t count);

/// POST /api/v1/schedules/preview: `{"schedule":{…},"count":1–100 (10),"from":RFC 3339 (now)}`.
/// Throws ValidationError listing every problem, schedule errors under {"body","schedule",…}.
UpcomingRuns preview_of(const boost::json::value& body, Timestamp now);

/// `{"timezone":…,"runs":[{"at":"…Z","local":"…±hh:mm"},…]}` (plus `task_id` when not empty).
boost::json::object upcoming_json(const UpcomingRuns& u, const std::string& task_id = "");

}  // namespace task
