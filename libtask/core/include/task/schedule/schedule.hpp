#pragma once
/// Schedules (API.md §12): parsing, validation and pure fire-time math. No I/O except reading the
/// system time zone database (through the date library) on first use of a zone.
///
/// Contract used by the service and the scheduler (keep these signatures stable):
///   parse_schedule   JSON -> Schedule, or ValidationError naming the field
///   to_json          Schedule -> the normalized JSON a task stores (round-trips through parse)
///   first_fire      the first slot of a new or re-scheduled task
///   next_fire(s)    slots strictly after an instant
///   plan_due         what to run now for a due slot, by misfire policy, and the next slot
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
  std::string expression;           ///< as given (macros kept, e.g. "@daily")
  std::uint64_t minutes = 0;        ///< bits 0-59
  std::uint32_t hours = 0;          ///< bits 0-23
  std::uint32_t days_of_month = 0;  ///< bits 1-31
  std::uint16_t months = 0;         ///< bits 1-12
  std::uint8_t days_of_week = 0;    ///< bits 0-6, 0 = Sunday (7 is folded to 0)
  bool dom_restricted = false;      ///< field was not `*` (Vixie OR rule)
  bool dow_restricted = false;
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
/// "expression"}) with a message such as "minute field: 61 is out of range 0-59". `now` anchors an
/// interval that has no start_at. Throws task::ValidationError and nothing else.
Schedule parse_schedule(const boost::json::value& json, Timestamp now,
                        const std::vector<std::string>& loc = {"body", "schedule"});

/// The normalized JSON form (canonical key names, anchor filled in) that tasks store.
boost::json::object to_json(const Schedule& s);

/// The first slot strictly after `after` inside [start_at, end_at]; nullopt when there is none.
/// Ignores max_runs (see plan_due).
std::optional<Timestamp> next_fire(const Schedule& s, Timestamp after);

/// Up to `n` consecutive slots strictly after `after` (previews).
std::vector<Timestamp> next_fires(const Schedule& s, Timestamp after, std::size_t n);

/// The first slot of a task given this schedule at `now`: the earliest slot at or after `now`
/// (for `once`: run_at even when it is in the past, so it runs at once). nullopt when the
/// schedule can never fire.
std::optional<Timestamp> first_fire(const Schedule& s, Timestamp now);

/// What to do when slot `due` (<= now) comes up: the slots to run now under the misfire policy
/// (run_once: the latest missed slot only; skip: none of the missed ones, only `due` if it is not
/// late; run_all: each missed slot, at most 100) and the next slot after `now`, honouring
/// end_at and max_runs given `runs_so_far` completed runs.
struct DuePlan {
  std::vector<Timestamp> run;
  std::optional<Timestamp> next;
};
DuePlan plan_due(const Schedule& s, Timestamp due, Timestamp now, std::int64_t runs_so_far);

}  // namespace task::schedule
