// Upcoming runs and previews (task/schedule/upcoming.hpp): the scheduler's slot sequence replayed
// with plan_due, the function the scheduler itself calls for every due slot.
#include "task/schedule/upcoming.hpp"

#include <date/tz.h>

#include <algorithm>
#include <exception>

namespace task::schedule {

std::vector<Timestamp> upcoming_slots(const Schedule& s, std::optional<Timestamp> next_run_time,
                                      std::int64_t runs_so_far, Timestamp now, std::size_t count) {
  std::vector<Timestamp> out;
  auto due = next_run_time;
  std::int64_t runs = runs_so_far;
  // Each step either emits a slot or moves `due` strictly forward (plan_due's next is after
  // max(due, now)), so the loop ends; the bound is a guard only.
  for (std::size_t guard = 0; due && out.size() < count && guard < count * 4 + 16; ++guard) {
    // The scheduler claims a slot when it comes due (at `due`), or at once when it is overdue.
    const auto claimed_at = std::max(*due, now);
    const auto plan = plan_due(s, *due, claimed_at, runs);
    if (plan.run.empty()) {  // skipped by the misfire policy, past end_at or max_runs
      if (plan.next && *plan.next <= *due) break;
      due = plan.next;
      continue;
    }
    out.push_back(plan.run.front());
    ++runs;
    // As Scheduler::plan_slot: more planned catch-up slots come first, then the next slot.
    due = plan.run.size() > 1 ? std::optional<Timestamp>(plan.run[1]) : plan.next;
  }
  return out;
}

std::vector<Timestamp> preview_slots(const Schedule& s, Timestamp from, std::size_t count) {
  return upcoming_slots(s, first_fire(s, from), 0, from, count);
}

std::string local_rfc3339(Timestamp t, const std::string& zone) {
  try {
    const auto secs = std::chrono::floor<std::chrono::seconds>(t);
    return date::format("%FT%T%Ez", date::make_zoned(date::locate_zone(zone), secs));
  } catch (const std::exception&) {
    return format_rfc3339(t);
  }
}

}  // namespace task::schedule
