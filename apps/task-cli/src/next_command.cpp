// `task-cli next`: fire times of a schedule expression, computed offline with task::schedule.
#include <date/tz.h>

#include <chrono>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "request_builder.hpp"
#include "task/core/time.hpp"
#include "task/schedule/schedule.hpp"

namespace task::cli {

namespace {

/// `Mon 2026-03-30 09:00 CEST` in the schedule's zone.
std::string local_text(Timestamp t, const std::string& zone) {
  try {
    const auto* tz = date::locate_zone(zone);
    const auto secs = std::chrono::floor<std::chrono::seconds>(t);
    return date::format("%a %Y-%m-%d %H:%M:%S %Z", date::make_zoned(tz, secs));
  } catch (const std::exception&) {
    return "-";
  }
}

}  // namespace

int cmd_next(Printer& p, const NextOptions& o) {
  if (o.count < 1 || o.count > 1000) throw UsageError("--count: expected 1 to 1000");
  Timestamp from = std::chrono::time_point_cast<Micros>(std::chrono::system_clock::now());
  if (o.from) {
    auto t = parse_rfc3339(*o.from);
    if (!t) throw UsageError("--from: '" + *o.from + "' is not an RFC 3339 time");
    from = *t;
  }
  const auto json = parse_schedule_arg(o.expression, o.tz);
  const auto schedule = schedule::parse_schedule(json, from, {"schedule"});
  std::vector<std::string> utc, local;
  for (auto t : schedule::next_fires(schedule, from, static_cast<std::size_t>(o.count))) {
    utc.push_back(format_rfc3339(t));
    local.push_back(local_text(t, schedule.timezone));
  }
  p.fire_times(utc, local);
  return kOk;
}

}  // namespace task::cli
