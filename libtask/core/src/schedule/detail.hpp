#pragma once
/// Internals shared by the schedule sources (not installed, not part of the API).
#include <date/date.h>
#include <date/tz.h>

#include <chrono>
#include <optional>
#include <string>

#include "task/core/time.hpp"
#include "task/schedule/schedule.hpp"

namespace task::schedule::detail {

/// A wall-clock minute in some zone (no offset attached).
using LocalMin = date::local_time<std::chrono::minutes>;
/// A wall-clock instant with microseconds (for timestamps written without an offset).
using LocalMicros = date::local_time<Micros>;

/// The zone named `name`, or nullptr when the system tz database does not know it.
const date::time_zone* find_zone(const std::string& name) noexcept;

/// The instant a wall-clock time stands for (DST rule of docs/api.md §12): a unique local time maps
/// to itself; an ambiguous one (fall-back) to its FIRST occurrence; a nonexistent one
/// (spring-forward gap) to the first instant after the gap. Equivalently: the earliest instant
/// whose local time is
/// >= `local` — which makes the mapping non-decreasing in `local`.
Timestamp resolve_local(const date::time_zone* zone, LocalMicros local);

/// The wall-clock time at `t` in `zone`.
LocalMicros local_at(const date::time_zone* zone, Timestamp t);

/// The smallest local minute >= `from` that the cron spec matches; nullopt when there is none in
/// the next 29 years (cannot happen for a spec accepted by parse_cron).
std::optional<LocalMin> next_cron_local(const CronSpec& spec, LocalMin from);

/// Lower-cased copy (ASCII).
std::string lower(std::string_view s);

}  // namespace task::schedule::detail
