#pragma once
/// Recurring todos (docs/api.md §16 "Recurring todos"): the `recurrence` field of a todo or
/// reminder and the arithmetic of completing one. Pure; the schedule math is task::schedule's
/// (next_fire: the scheduler's DST rules).
///
/// The stored (normalized) form is the schedule's normalized JSON (schedule::to_json) plus
/// `"anchor":"due"|"completion"` and `"completed_count"`: occurrences completed so far (set by
/// the service; a client's value is ignored).
///
/// Ownership: plain values. Thread-safety: pure functions.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "task/core/enums.hpp"
#include "task/core/time.hpp"
#include "task/domain/model.hpp"
#include "task/schedule/schedule.hpp"

namespace task {

enum class RecurrenceAnchor { due, completion };

/// A parsed recurrence.
struct Recurrence {
  schedule::Schedule schedule;
  RecurrenceAnchor anchor = RecurrenceAnchor::due;
  std::int64_t completed_count = 0;
};

/// Parses a request's `recurrence` object (at `loc`, e.g. {"body","recurrence"}): a §12 schedule
/// of any kind but `once` (error at loc + "type") plus an optional `anchor` (error at loc +
/// "anchor"); returns the normalized form with completed_count 0. Every problem is reported
/// together. Throws task::ValidationError.
boost::json::object parse_recurrence(const boost::json::value& v, Timestamp now,
                                     const std::vector<std::string>& loc);

/// Reads a stored recurrence. Throws task::ValidationError if it no longer parses.
Recurrence read_recurrence(const boost::json::object& stored, Timestamp now);

/// The checks that need the task around the recurrence: its type is todo or reminder (error at
/// loc_prefix + "recurrence"), and it has a due date (error at loc_prefix + "due_date"). Throws
/// task::ValidationError.
void check_recurrence_fits(TaskType type, const std::optional<Timestamp>& due_date,
                           const std::vector<std::string>& loc_prefix = {"body"});

/// The next due date after completing the occurrence due at `due` at `completed_at`, or nullopt
/// when the recurrence has ended (end_at passed, or max_runs occurrences completed counting this
/// one). Occurrences already in the past are skipped, not queued:
///   anchor due:        the first slot of the schedule strictly after max(due, completed_at);
///                      for interval schedules on the schedule's own grid (start_at + k·interval).
///   anchor completion: interval schedules start again at the completion (completed_at, to the
///                      second, + interval); wall-clock kinds take the first slot strictly after
///                      the completion, and after `due` when completed early, so a completion
///                      always moves the todo forward.
/// For wall-clock kinds (cron, daily, weekly, monthly) both anchors give the same slot; they
/// differ for intervals. Slots follow next_fire's DST rules (a time in a gap fires at the end
/// of the gap, a repeated time once).
std::optional<Timestamp> next_occurrence(const Recurrence& r, Timestamp due,
                                         Timestamp completed_at);

/// The reminder of the next occurrence: the same offset from the due date (reminder - due) as
/// the current one; nullopt when there is no reminder.
std::optional<Timestamp> moved_reminder(const std::optional<Timestamp>& reminder, Timestamp due,
                                        const std::optional<Timestamp>& next_due);

/// Completing a recurring todo at `now` (apply_update's `completed` on a task with a
/// recurrence): records the occurrence in `completion`, and when the recurrence goes on moves
/// due_date and reminder_time (re-arming the reminder), counts the occurrence and returns true
/// (the task stays open); returns false when it has ended (the caller closes the task). A
/// recurrence that no longer parses ends. Adds the changed field names to `changed`.
bool advance_recurrence(Task& t, Timestamp now, Completion& completion,
                        std::vector<std::string>& changed);

/// `{"due_date":…|null,"completed_at":…}` (GET /api/v1/tasks/{id}/completions).
boost::json::object completion_json(const Completion& c);

}  // namespace task
