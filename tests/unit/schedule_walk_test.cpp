/// Walker: for >= 50 representative schedules across the DST zones, fire times over 5 years
/// strictly increase and each one is a slot of the schedule (its local time matches, or it is the
/// first instant after a DST gap that swallowed a matching local time).
#include <catch2/catch.hpp>

#include "schedule_test_util.hpp"

using namespace task;
using namespace task::schedule;
using sched_test::at;
using sched_test::kWalkBodies;
using sched_test::kWalkZones;

TEST_CASE("walker: fire times strictly increase for 5 years", "[schedule][walk]") {
  const auto from = at("2025-01-01T00:00:00Z");
  const auto to = at("2030-01-01T00:00:00Z");
  int schedules = 0;
  for (const char* zone_name : kWalkZones) {
    const auto* zone = date::locate_zone(zone_name);
    for (const char* body : kWalkBodies) {
      INFO(zone_name << " " << body);
      const auto s =
          sched_test::parse(std::string(R"({"timezone":")") + zone_name + "\"," + body + "}");
      ++schedules;
      std::size_t fires = 0;
      std::size_t off_pattern = 0;
      auto prev = from;
      for (auto t = next_fire(s, from); t && *t <= to; t = next_fire(s, *t)) {
        REQUIRE(*t > prev);
        prev = *t;
        ++fires;
        if (s.kind == Kind::interval) continue;
        // a slot either shows its own local time or sits right after a DST gap
        const auto local = date::floor<std::chrono::minutes>(zone->to_local(*t));
        const auto tod = (local - date::floor<date::days>(local)).count();
        const bool time_matches = s.kind == Kind::cron ? ((s.cron.minutes >> (tod % 60) & 1U) &&
                                                          (s.cron.hours >> (tod / 60) & 1U))
                                                       : tod == s.hour * 60 + s.minute;
        if (!time_matches) {
          ++off_pattern;
          const auto info = zone->get_info(*t);
          CHECK(info.begin == std::chrono::time_point_cast<std::chrono::seconds>(*t));
        }
      }
      CHECK(fires > 50);
      CHECK(off_pattern <= 10);  // only DST-gap days
    }
  }
  CHECK(schedules >= 50);
}

TEST_CASE("walker: a minutely job over the DST months of a year", "[schedule][walk]") {
  for (const char* zone_name : {"Europe/Warsaw", "Australia/Lord_Howe"}) {
    const auto s = sched_test::parse(std::string(R"({"timezone":")") + zone_name +
                                     R"(","type":"cron","expression":"* * * * *"})");
    for (const char* start : {"2026-03-20T00:00:00Z", "2026-09-28T00:00:00Z",
                              "2026-10-20T00:00:00Z", "2026-04-01T00:00:00Z"}) {
      const auto begin = at(start);
      auto prev = begin;
      for (auto t = next_fire(s, begin); t && *t < begin + date::days{14}; t = next_fire(s, *t)) {
        REQUIRE(*t > prev);
        // consecutive minutes, except across a fall-back where the repeat is skipped
        REQUIRE(*t - prev <= std::chrono::minutes{61});
        prev = *t;
      }
    }
  }
}
