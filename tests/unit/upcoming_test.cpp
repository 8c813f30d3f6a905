/// Upcoming runs and schedule previews (docs/api.md §16): what is shown is what the scheduler
/// runs. (1) Over a 5-year walk of 63 schedules (7 zones x 9 kinds/bodies, plus max_runs and
/// end_at variants) the preview equals the slot chain of the schedule code (first_fire, then
/// next_fire). (2) The real task::Scheduler, stepped over a year on the memory repository,
/// starts exactly the slots the preview listed when the task was created, in the six DST zones.
/// (3) DST cases with their local texts, misfire, max_runs left, the request rules.
#include <catch2/catch.hpp>

#include "schedule_test_util.hpp"
#include "scheduler_support.hpp"
#include "task/core/errors.hpp"
#include "task/rules/upcoming.hpp"
#include "task/schedule/upcoming.hpp"

using namespace task;
using namespace task::schedule;
using sched_test::at;
using sched_test::fmt;
using sched_test::kWalkBodies;
using sched_test::kWalkZones;
using Strings = std::vector<std::string>;

namespace {

Schedule make(const std::string& zone, const std::string& body) {
  return sched_test::parse(R"({"timezone":")" + zone + R"(",)" + body + "}");
}

/// The slot chain of the schedule code within [from, to]: first_fire, then next_fire.
std::vector<Timestamp> chain(const Schedule& s, Timestamp from, Timestamp to) {
  std::vector<Timestamp> out;
  for (auto t = first_fire(s, from); t && *t <= to; t = next_fire(s, *t))
    out.push_back(*t);
  return out;
}

}  // namespace

TEST_CASE("preview: equals the schedule's slot chain over 5 years for 63 schedules",
          "[upcoming][walk]") {
  const auto from = at("2025-01-01T00:00:00Z");
  const auto to = at("2030-01-01T00:00:00Z");
  int schedules = 0;
  for (const char* zone : kWalkZones)
    for (const char* body : kWalkBodies) {
      INFO(zone << " " << body);
      const auto s = make(zone, body);
      ++schedules;
      const auto expected = chain(s, from, to);
      REQUIRE(expected.size() > 50);
      CHECK(preview_slots(s, from, expected.size()) == expected);
      // end_at inside the walk cuts it there; max_runs keeps the first N.
      const std::size_t last = std::min<std::size_t>(expected.size() - 1, 120);
      auto bounded = s;
      bounded.end_at = expected[last];
      CHECK(preview_slots(bounded, from, expected.size()) ==
            std::vector<Timestamp>(expected.begin(), expected.begin() + std::ptrdiff_t(last + 1)));
      auto limited = s;
      limited.max_runs = 7;
      CHECK(preview_slots(limited, from, 100) ==
            std::vector<Timestamp>(expected.begin(), expected.begin() + 7));
      // runs left = max_runs - run_count: from the 5th slot with 4 runs done, 3 remain.
      CHECK(upcoming_slots(limited, expected[4], 4, from, 100) ==
            std::vector<Timestamp>(expected.begin() + 4, expected.begin() + 7));
    }
  CHECK(schedules == 63);
}

TEST_CASE("upcoming: the real scheduler starts exactly the previewed slots, in 6 DST zones",
          "[upcoming][scheduler]") {
  const char* const zones[] = {"America/New_York", "Europe/Warsaw",       "America/Santiago",
                               "Australia/Sydney", "Australia/Lord_Howe", "Asia/Amman"};
  const char* const bodies[] = {
      R"("type":"daily","time":"02:30")",
      R"("type":"daily","time":"00:30","max_runs":40)",
      R"("type":"weekly","weekday":"sunday","time":"02:15")",
      R"("type":"monthly","day":31,"time":"23:30","end_at":"2026-09-01T00:00:00Z")",
      R"("type":"cron","expression":"30 1-3 * * 0")",
  };
  for (const char* zone : zones)
    for (const char* body : bodies) {
      INFO(zone << " " << body);
      task::test::SchedulerFixture fx;
      fx.clock->set(at("2026-02-20T00:00:00Z"));  // the next 100 slots cross DST changes
      const std::string json = std::string(R"({"name":"p","task_type":"data_backup",)") +
                               R"("schedule":{"timezone":")" + zone + "\"," + body + "}}";
      const auto t = fx.create(fx.alice, json.c_str());
      const auto shown = upcoming_of(t, fx.clock->now(), kUpcomingMax);
      REQUIRE_FALSE(shown.runs.empty());
      // Step the scheduler one minute before and at every previewed slot, and daily in between
      // (a slot the preview missed would be started late, under another scheduled_for).
      const auto until = shown.runs.back();
      auto next_check = fx.clock->now();
      for (const auto slot : shown.runs) {
        for (; next_check < slot - std::chrono::minutes(1); next_check += std::chrono::hours(24))
          fx.step_at(next_check);
        fx.step_at(slot - std::chrono::minutes(1));
        fx.step_at(slot);
        next_check = slot + std::chrono::minutes(1);
      }
      fx.step_at(until + std::chrono::minutes(1));
      CHECK(fx.slots(t.task_id) == fmt(shown.runs));
      // What remains to show is what remains to run.
      const auto after = fx.task(t.task_id);
      const auto rest = upcoming_of(after, fx.clock->now(), 3);
      if (shown.runs.size() < kUpcomingMax) {
        CHECK(rest.runs.empty());  // max_runs / end_at reached
        CHECK(after.status == TaskStatus::completed);
      } else {
        REQUIRE(rest.runs.size() == 3);
        CHECK(rest.runs.front() == *after.next_run_time);
        CHECK(rest.runs.front() > until);
      }
    }
}

TEST_CASE("preview: DST days in six zones, with local texts", "[upcoming][dst]") {
  // The preview of 3 runs from `from` is `at` (UTC), shown as `local` in the schedule's zone.
  auto check = [](const std::string& zone, const std::string& body, const std::string& from,
                  const Strings& at, const Strings& local) {
    INFO(zone << " " << body);
    const auto req =
        boost::json::parse(R"({"count":3,"from":")" + from + R"(","schedule":{"timezone":")" +
                           zone + "\"," + body + "}}");
    const auto out = upcoming_json(preview_of(req, sched_test::at("2020-01-01T00:00:00Z")));
    CHECK(out.at("timezone").as_string() == zone);
    Strings got_at, got_local;
    for (const auto& r : out.at("runs").as_array()) {
      got_at.emplace_back(r.at("at").as_string());
      got_local.emplace_back(r.at("local").as_string());
    }
    CHECK(got_at == at);
    CHECK(got_local == local);
  };
  // A daily time inside a DST gap or repeated hour (schedule_test_util.hpp's DST days): the day
  // before, the DST day and the day after.
  struct Daily {
    const char* zone;
    bool spring;
    Strings local;
  };
  const Daily days[] = {
      {"America/New_York",
       true,
       {"2026-03-07T02:30:00-05:00", "2026-03-08T03:00:00-04:00", "2026-03-09T02:30:00-04:00"}},
      {"Europe/Warsaw",
       false,
       {"2026-10-24T02:30:00+02:00", "2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00"}},
      {"America/Santiago",
       true,
       {"2026-09-05T00:30:00-04:00", "2026-09-06T01:00:00-03:00", "2026-09-07T00:30:00-03:00"}},
      {"Australia/Lord_Howe",
       true,
       {"2026-10-03T02:15:00+10:30", "2026-10-04T02:30:00+11:00", "2026-10-05T02:15:00+11:00"}},
      {"Asia/Amman",
       false,
       {"2021-10-28T00:30:00+03:00", "2021-10-29T00:30:00+03:00", "2021-10-30T00:30:00+02:00"}},
  };
  for (const auto& d : days) {
    const auto& day = sched_test::dst_day(d.zone, d.spring);
    const auto from = format_rfc3339(at(day.day_before) - std::chrono::hours(1));
    check(d.zone, std::string(R"("type":"daily","time":")") + day.daily_time + "\"", from,
          {day.day_before, day.on_day, day.day_after}, d.local);
  }
  // An hourly cron across Sydney's fall back: 02:30 is not repeated.
  check("Australia/Sydney", R"("type":"cron","expression":"30 * * * *")", "2026-04-04T14:00:00Z",
        {"2026-04-04T14:30:00Z", "2026-04-04T15:30:00Z", "2026-04-04T17:30:00Z"},
        {"2026-04-05T01:30:00+11:00", "2026-04-05T02:30:00+11:00", "2026-04-05T03:30:00+10:00"});
}

TEST_CASE("upcoming: an overdue task shows the slots its misfire policy will run",
          "[upcoming][misfire]") {
  const auto now = at("2026-06-01T12:10:00Z");
  const auto due = at("2026-06-01T09:00:00Z");
  auto s = make("UTC", R"("type":"cron","expression":"0 * * * *")");
  s.misfire = Misfire::run_once;
  CHECK(fmt(upcoming_slots(s, due, 0, now, 3)) ==
        Strings{"2026-06-01T12:00:00Z", "2026-06-01T13:00:00Z", "2026-06-01T14:00:00Z"});
  s.misfire = Misfire::skip;
  CHECK(fmt(upcoming_slots(s, due, 0, now, 2)) ==
        Strings{"2026-06-01T13:00:00Z", "2026-06-01T14:00:00Z"});
  s.misfire = Misfire::run_all;
  CHECK(fmt(upcoming_slots(s, due, 0, now, 5)) ==
        Strings{"2026-06-01T09:00:00Z", "2026-06-01T10:00:00Z", "2026-06-01T11:00:00Z",
                "2026-06-01T12:00:00Z", "2026-06-01T13:00:00Z"});
  s.max_runs = 3;  // 1 done: the two most recent missed slots, then nothing
  CHECK(fmt(upcoming_slots(s, due, 1, now, 5)) ==
        Strings{"2026-06-01T11:00:00Z", "2026-06-01T12:00:00Z"});
  CHECK(upcoming_slots(s, due, 3, now, 5).empty());
  CHECK(upcoming_slots(s, std::nullopt, 0, now, 5).empty());
}

TEST_CASE("upcoming: only a scheduled task has runs; once runs once", "[upcoming]") {
  task::test::SchedulerFixture fx;
  auto t = fx.create(fx.alice, R"({"name":"p","task_type":"data_backup",
      "schedule":{"type":"interval","interval_seconds":3600}})");
  const auto now = fx.clock->now();
  CHECK(upcoming_of(t, now, 2).runs.size() == 2);
  for (auto st : {TaskStatus::paused, TaskStatus::completed, TaskStatus::cancelled,
                  TaskStatus::pending, TaskStatus::failed}) {
    t.status = st;
    CHECK(upcoming_of(t, now, 2).runs.empty());
  }
  const auto todo = fx.create(fx.alice, R"({"name":"todo","task_type":"todo"})");
  const auto u = upcoming_of(todo, now, 5);
  CHECK(u.runs.empty());
  CHECK(u.timezone == "UTC");
  const auto once = preview_of(boost::json::parse(R"({"schedule":{"type":"once",
      "run_at":"2026-01-01T00:00:00Z","timezone":"Europe/Warsaw"}})"),
                               at("2026-06-01T00:00:00Z"));
  CHECK(fmt(once.runs) == Strings{"2026-01-01T00:00:00Z"});  // in the past: runs at once
  CHECK(once.timezone == "Europe/Warsaw");
}

TEST_CASE("upcoming: count and preview bodies are checked with field locations",
          "[upcoming][rules]") {
  const auto loc = std::vector<std::string>{"query", "count"};
  CHECK(upcoming_count(nullptr, loc) == 10);
  const boost::json::value one = "1", hundred = "100", n42 = 42;
  CHECK(upcoming_count(&one, loc) == 1);
  CHECK(upcoming_count(&hundred, loc) == 100);
  CHECK(upcoming_count(&n42, loc) == 42);
  auto fails = [&](const boost::json::value& v, const char* type) {
    INFO(boost::json::serialize(v));
    try {
      upcoming_count(&v, loc);
      FAIL("accepted");
    } catch (const ValidationError& e) {
      REQUIRE(e.errors.size() == 1);
      CHECK(e.errors[0].loc == loc);
      CHECK(e.errors[0].type == type);
    }
  };
  for (const char* text : {"0", "101", "-1", "99999999999999999999"})
    fails(boost::json::value(text), "value_error");
  for (const char* text : {"", "ten", "1.5", "1 ", "0x10"})
    fails(boost::json::value(text), "int_parsing");
  fails(boost::json::value(1.5), "int_type");
  fails(boost::json::value(true), "int_type");
  fails(boost::json::value(0), "value_error");
  fails(boost::json::value(101), "value_error");

  try {
    preview_of(boost::json::parse(R"({"count":0,"from":"yesterday",
        "schedule":{"type":"cron","expression":"61 * * * *"}})"),
               at("2026-01-01T00:00:00Z"));
    FAIL("accepted");
  } catch (const ValidationError& e) {
    std::vector<std::vector<std::string>> locs;
    for (const auto& f : e.errors)
      locs.push_back(f.loc);
    CHECK(locs == std::vector<std::vector<std::string>>{
                      {"body", "from"}, {"body", "count"}, {"body", "schedule", "expression"}});
  }
  CHECK_THROWS_AS(preview_of(boost::json::parse("{}"), at("2026-01-01T00:00:00Z")),
                  ValidationError);
  CHECK_THROWS_AS(preview_of(boost::json::parse("[]"), at("2026-01-01T00:00:00Z")),
                  ValidationError);
}
