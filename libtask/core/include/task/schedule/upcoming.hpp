#pragma once
/// Upcoming runs and schedule previews (docs/api.md §16 "Upcoming runs"): the slots the scheduler
/// will run, computed with the scheduler's own pure schedule code (plan_due, next_fire), so what
/// is shown is what will run.
///
/// Ownership: plain values in and out. Thread-safety: pure functions, safe from any thread.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "task/core/time.hpp"
#include "task/schedule/schedule.hpp"

namespace task::schedule {

/// The next `count` slots the scheduler will run for a task whose stored next slot is
/// `next_run_time` after `runs_so_far` runs, asked at `now`. It replays what the scheduler does
/// at each claim (Scheduler::plan_slot): plan_due(s, due, max(due, now), runs) runs the first
/// planned slot and moves on to the next planned one (or plan.next), so it honours end_at,
/// max_runs (runs left = max_runs - runs_so_far) and the DST rules of next_fire. A slot already
/// in the past (the scheduler was down) is shown as the misfire policy will run it: run_once
/// the latest missed slot, skip none unless on time, run_all each of them (oldest first); those
/// slots run as soon as a scheduler claims them. Empty when next_run_time is nullopt.
std::vector<Timestamp> upcoming_slots(const Schedule& s, std::optional<Timestamp> next_run_time,
                                      std::int64_t runs_so_far, Timestamp now, std::size_t count);

/// The slots of a schedule that is not saved, as a task created with it at `from` would run
/// them: first_fire(s, from) then upcoming_slots with no runs yet. For `once`, run_at even when
/// it is before `from` (such a task runs at once).
std::vector<Timestamp> preview_slots(const Schedule& s, Timestamp from, std::size_t count);

/// RFC 3339 text of `t` in `zone` with its offset, e.g. 2027-03-29T09:00:00+02:00 (whole
/// seconds); the UTC text when the zone is unknown.
std::string local_rfc3339(Timestamp t, const std::string& zone);

}  // namespace task::schedule
