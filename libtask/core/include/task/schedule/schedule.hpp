#pragma once
/// Schedules (docs/api.md §12): parsing, validation and pure fire-time math. No I/O except reading
/// the system time zone database (through the date library) on first use of a zone.
///
/// Contract used by the service and the scheduler (keep these signatures stable):
///   parse_schedule   JSON -> Schedule, or ValidationError naming the field
///   to_json          Schedule -> the normalized JSON a task stores (round-trips through parse)
///   first_fire      the first slot of a new or re-scheduled task
///   next_fire(s)    slots strictly after an instant
///   plan_due         what to run now for a due slot, by misfire policy, and the next slot
///
/// Ownership: a Schedule is a value (it holds the zone's name; the date library owns the zone
/// data, which lives for the whole process). Thread-safety: pure functions, safe from any number
/// of threads; the first lookup of a zone loads it under the date library's own lock.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "task/core/time.hpp"

namespace task::schedule {

enum class Kind { cron, interval, once, daily, weekly, monthly };
enum class Misfire { run_once, skip, run_all };

/// A parsed cron expression (5 fields); bit sets of allowed values.
struct CronSpec {
  std::string expression;           ///< as given, spaces collapsed (macros kept, e.g. "@daily")
  std::uint64_t minutes = 0;        ///< bits 0-59
  std::uint32_t hours = 0;          ///< bits 0-23
  std::uint32_t days_of_month = 0;  ///< bits 1-31
  std::uint16_t months = 0;         ///< bits 1-12
  std::uint8_t days_of_week = 0;    ///< bits 0-6, 0 = Sunday (7 is folded to 0)
  bool dom_restricted = false;      ///< field text does not start with `*` (Vixie OR rule)
  bool dow_restricted = false;      ///< same for day-of-week
  friend bool operator==(const CronSpec&, const CronSpec&) = default;
};

/// A validated schedule.
struct Schedule {
  Kind kind = Kind::once;
  std::string timezone = "UTC";  ///< IANA name
  std::optional<Timestamp> start_at;
  std::optional<Timestamp> end_at;
  std::optional<std::int64_t> max_runs;
  Misfire misfire = Misfire::run_once;

  CronSpec cron;                      ///< kind cron
  std::int64_t interval_seconds = 0;  ///< kind interval (>= 60); anchored at start_at
  Timestamp run_at{};                 ///< kind once
  int hour = 0, minute = 0;           ///< daily/weekly/monthly local time
  int weekday = 1;                    ///< weekly: ISO 1 = Monday .. 7 = Sunday
  int day = 1;                        ///< monthly: 1-31, clamped to the month's last day
  friend bool operator==(const Schedule&, const Schedule&) = default;
};

/// How far behind `now` a slot may be and still count as on time for the `skip` policy.
inline constexpr std::chrono::seconds kMisfireGrace{60};

/// At most this many missed slots run under `run_all` (the most recent ones).
inline constexpr std::size_t kMaxCatchUp = 100;

/// Parses a 5-field cron expression or macro (Vixie semantics: a day field is "restricted" unless
/// its text starts with `*`). Errors carry `loc` and say which field is wrong, e.g.
/// "minute field: 61 is out of range 0-59"; an expression that can never fire ("0 0 30 2 *") is
/// rejected with "never fires". Throws task::ValidationError and nothing else.
CronSpec parse_cron(std::string_view expression, const std::vector<std::string>& loc);

/// Parses and validates a schedule object. `loc` is the location of the schedule in the request
/// (e.g. {"body", "schedule"}); errors name the field under it (e.g. {"body","schedule",
/// "expression"}) with a message such as "minute field: 61 is out of range 0-59"; all problems
/// found are reported together. `now` anchors an interval that has no start_at. Timestamps
/// (run_at, start_at, end_at) are RFC 3339; one without an offset is wall-clock time in
/// `timezone`. Aliases: cron_expression, interval_minutes, run_time. Unknown keys are ignored.
/// Throws task::ValidationError and nothing else.
Schedule parse_schedule(const boost::json::value& json, Timestamp now,
                        const std::vector<std::string>& loc = {"body", "schedule"});

/// The normalized JSON form (canonical key names, anchor filled in) that tasks store.
boost::json::object to_json(const Schedule& s);

/// The first slot strictly after `after` inside [start_at, end_at]; nullopt when there is none.
/// Ignores max_runs (see plan_due). Wall-clock kinds (cron, daily, weekly, monthly) match local
/// minutes in `timezone`; each matching local time L fires at the earliest instant whose local
/// time is >= L: a time in a spring-forward gap fires at the first instant after the gap, a
/// repeated (fall-back) time at its first occurrence only. E.g. Europe/Warsaw, daily 02:30:
/// 2027-03-28 fires at 03:00 CEST (01:00Z); 2027-10-31 fires at 02:30 CEST (00:30Z) and not again
/// at 02:30 CET. Hourly "30 * * * *" on 2027-10-31 fires 01:30 CEST, 02:30 CEST, 03:30 CET — the
/// repeated hour's slots are not repeated. Fire times strictly increase. Never throws.
std::optional<Timestamp> next_fire(const Schedule& s, Timestamp after);

/// Up to `n` consecutive slots strictly after `after` (previews).
std::vector<Timestamp> next_fires(const Schedule& s, Timestamp after, std::size_t n);

/// The first slot of a task given this schedule at `now`: the earliest slot at or after `now`
/// (for `once`: run_at even when it is in the past, so it runs at once). nullopt when the
/// schedule can never fire.
std::optional<Timestamp> first_fire(const Schedule& s, Timestamp now);

/// What to do when slot `due` (<= now) comes up. The missed slots are `due` itself plus every slot
/// in (due, now]; by misfire policy the slots to run now are:
///   run_once: the latest missed slot only;
///   skip:     the latest missed slot only if it is on time (now - slot <= kMisfireGrace), else
///   none; run_all:  each missed slot, at most kMaxCatchUp (the most recent ones).
/// `run` is further cut to the runs max_runs leaves given `runs_so_far` (keeping the latest), and
/// `next` is the first slot after `now` (nullopt when end_at or max_runs is reached, or a `once`
/// has run). If `due` > now nothing runs and `next` is `due`. Worked example (hourly, down from
/// 09:00 to 12:10): run_once -> [12:00], skip -> [], run_all -> [09:00 10:00 11:00 12:00]; each
/// with next 13:00.
struct DuePlan {
  std::vector<Timestamp> run;
  std::optional<Timestamp> next;
};
DuePlan plan_due(const Schedule& s, Timestamp due, Timestamp now, std::int64_t runs_so_far);

}  // namespace task::schedule
