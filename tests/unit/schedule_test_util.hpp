#pragma once
/// Helpers for the schedule unit tests.
#include <date/tz.h>
#include <boost/json.hpp>

#include <functional>
#include <string>
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

}  // namespace sched_test
