#pragma once
/// Helpers for the schedule unit tests.
#include <date/tz.h>
#include <boost/json.hpp>

#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "support/time.hpp"
#include "task/core/time.hpp"
#include "task/schedule/schedule.hpp"

namespace sched_test {

/// An RFC 3339 literal (tests/support/time.hpp).
using task::testing::at;

/// The creation time used when parsing in tests.
inline task::Timestamp kNow() {
  return at("2026-01-01T00:00:00Z");
}

/// Parses schedule JSON text.
inline task::schedule::Schedule parse(const std::string& text) {
  return task::schedule::parse_schedule(boost::json::parse(text), kNow());
}

/// Fire times formatted as RFC 3339 (readable failures).
inline std::vector<std::string> fmt(const std::vector<task::Timestamp>& ts) {
  std::vector<std::string> out;
  for (const auto t : ts)
    out.push_back(task::format_rfc3339(t));
  return out;
}

/// Brute-force reference, written independently of the library's local-time search: walks UTC
/// minute by minute over (from, to] and fires at instant t when some local minute x matching
/// `matches` lies in (highest local minute seen so far, local(t)]. That is "the earliest instant
/// whose local time reaches x": a gap's times fire at the first instant after it, a repeated
/// time fires at its first occurrence only.
inline std::vector<task::Timestamp> reference_fires(
    const std::string& zone_name,
    const std::function<bool(date::local_time<std::chrono::minutes>)>& matches,
    task::Timestamp from, task::Timestamp to) {
  using std::chrono::minutes;
  const auto* zone = date::locate_zone(zone_name);
  std::vector<task::Timestamp> out;
  auto t = date::floor<minutes>(from);
  auto seen = date::floor<minutes>(zone->to_local(t));
  for (t += minutes{1}; t <= to; t += minutes{1}) {
    const auto local = date::floor<minutes>(zone->to_local(t));
    bool fire = false;
    for (auto x = seen + minutes{1}; x <= local; x += minutes{1})
      fire = fire || matches(x);
    if (local > seen) seen = local;
    if (fire && t > from) out.push_back(t);
  }
  return out;
}

/// The zones and schedule bodies of the 5-year walks (schedule_walk_test, upcoming_test): DST
/// gaps and overlaps, half-hour DST, southern-hemisphere and midnight changes.
inline const char* const kWalkZones[] = {"UTC",
                                         "America/New_York",
                                         "Europe/Warsaw",
                                         "America/Santiago",
                                         "Australia/Sydney",
                                         "Australia/Lord_Howe",
                                         "Asia/Amman"};

inline const char* const kWalkBodies[] = {
    R"("type":"daily","time":"02:30")",
    R"("type":"daily","time":"00:30")",
    R"("type":"daily","time":"01:45")",
    R"("type":"weekly","weekday":"sunday","time":"02:15")",
    R"("type":"monthly","day":31,"time":"23:30")",
    R"("type":"cron","expression":"30 * * * *")",
    R"("type":"cron","expression":"*/20 0-3 * * *")",
    R"("type":"cron","expression":"0 0,2 13 * fri")",
    R"("type":"interval","interval_seconds":5400,"start_at":"2025-01-01T00:17:00Z")",
};

/// One DST day per zone and season in the six DST zones of the tests (schedule_dst_test,
/// recurrence_test): the transition, a daily local time inside the gap (spring) or the repeated
/// interval (fall), and when that daily time is due (UTC) the day before, on the DST day and the
/// day after. Looked up in the system tz database; schedule_dst_test asserts the transitions.
struct DstDay {
  const char* zone;
  const char* instant;     ///< the transition, UTC
  bool spring;             ///< gap (true) or repeated interval (false)
  const char* daily_time;  ///< local HH:MM inside the gap / repeated interval
  const char* day_before;  ///< the daily time's instant the day before (UTC)
  const char* on_day;      ///< its one instant on the DST day (UTC)
  const char* day_after;   ///< its instant the day after (UTC)
};

inline const DstDay kDstDays[] = {
    // spring forward: the local time does not exist; due at the first instant after the gap
    {"America/New_York", "2026-03-08T07:00:00Z", true, "02:30", "2026-03-07T07:30:00Z",
     "2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z"},
    {"Europe/Warsaw", "2026-03-29T01:00:00Z", true, "02:30", "2026-03-28T01:30:00Z",
     "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"},
    {"America/Santiago", "2026-09-06T04:00:00Z", true, "00:30", "2026-09-05T04:30:00Z",
     "2026-09-06T04:00:00Z", "2026-09-07T03:30:00Z"},
    {"Australia/Sydney", "2026-10-03T16:00:00Z", true, "02:30", "2026-10-02T16:30:00Z",
     "2026-10-03T16:00:00Z", "2026-10-04T15:30:00Z"},
    {"Australia/Lord_Howe", "2026-10-03T15:30:00Z", true, "02:15", "2026-10-02T15:45:00Z",
     "2026-10-03T15:30:00Z", "2026-10-04T15:15:00Z"},
    {"Asia/Amman", "2021-03-25T22:00:00Z", true, "00:30", "2021-03-24T22:30:00Z",
     "2021-03-25T22:00:00Z", "2021-03-26T21:30:00Z"},
    // fall back: the local time occurs twice; due at its first occurrence only
    {"America/New_York", "2026-11-01T06:00:00Z", false, "01:30", "2026-10-31T05:30:00Z",
     "2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"},
    {"Europe/Warsaw", "2026-10-25T01:00:00Z", false, "02:30", "2026-10-24T00:30:00Z",
     "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"},
    {"America/Santiago", "2026-04-05T03:00:00Z", false, "23:30", "2026-04-04T02:30:00Z",
     "2026-04-05T02:30:00Z", "2026-04-06T03:30:00Z"},
    {"Australia/Sydney", "2026-04-04T16:00:00Z", false, "02:30", "2026-04-03T15:30:00Z",
     "2026-04-04T15:30:00Z", "2026-04-05T16:30:00Z"},
    {"Australia/Lord_Howe", "2026-04-04T15:00:00Z", false, "01:45", "2026-04-03T14:45:00Z",
     "2026-04-04T14:45:00Z", "2026-04-05T15:15:00Z"},
    {"Asia/Amman", "2021-10-28T22:00:00Z", false, "00:30", "2021-10-27T21:30:00Z",
     "2021-10-28T21:30:00Z", "2021-10-29T22:30:00Z"},
};

/// The DST day of `zone` in spring (true) or fall (false).
inline const DstDay& dst_day(std::string_view zone, bool spring) {
  for (const auto& d : kDstDays)
    if (d.zone == zone && d.spring == spring) return d;
  throw std::invalid_argument("no DST day of " + std::string(zone));
}

}  // namespace sched_test
