/// Parsing every kind and alias, the normalized JSON round trip, and a table of invalid schedules.
#include <catch2/catch.hpp>

#include "schedule_test_util.hpp"
#include "task/core/errors.hpp"

using namespace task;
using namespace task::schedule;
using sched_test::at;
using sched_test::fmt;
using sched_test::parse;

namespace {

/// Parse -> to_json -> parse gives the same schedule and the same next slots.
void check_round_trip(const Schedule& s) {
  const auto j = to_json(s);
  const auto back = parse_schedule(j, at("2030-01-01T00:00:00Z"));
  CHECK(back == s);
  CHECK(to_json(back) == j);
  const auto from = at("2026-06-01T12:34:56Z");
  CHECK(fmt(next_fires(back, from, 5)) == fmt(next_fires(s, from, 5)));
}

}  // namespace

TEST_CASE("cron: expression, alias, macros, names, steps", "[schedule][parse]") {
  const auto s = parse(R"({"type":"cron","expression":"0 7 * * 1-5"})");
  CHECK(s.kind == Kind::cron);
  CHECK(s.timezone == "UTC");
  CHECK(s.misfire == Misfire::run_once);
  CHECK(s.cron.minutes == 1);
  CHECK(s.cron.hours == 1U << 7);
  CHECK(s.cron.days_of_week == 0b0111110);
  CHECK(s.cron.dow_restricted);
  CHECK_FALSE(s.cron.dom_restricted);
  CHECK(parse(R"({"type":"cron","cron_expression":"0 7 * * 1-5"})") == s);
  CHECK(parse(R"({"type":"cron","expression":"  0  7 * *   MON-fri "})").cron.days_of_week ==
        s.cron.days_of_week);

  const auto names = parse_cron("*/20 0-6/3 1,15 jan-mar/2,DEC sat-sat", {"e"});
  CHECK(names.minutes == ((1ULL << 0) | (1ULL << 20) | (1ULL << 40)));
  CHECK(names.hours == ((1U << 0) | (1U << 3) | (1U << 6)));
  CHECK(names.days_of_month == ((1U << 1) | (1U << 15)));
  CHECK(names.months == ((1U << 1) | (1U << 3) | (1U << 12)));
  CHECK(names.days_of_week == (1U << 6));
  CHECK(parse_cron("0 0 * * 7", {"e"}).days_of_week == 1);  // 7 = Sunday
  CHECK(parse_cron("0 0 * * 5-7", {"e"}).days_of_week == 0b1100001);
  CHECK(parse_cron("10/15 * * * *", {"e"}).minutes ==
        ((1ULL << 10) | (1ULL << 25) | (1ULL << 40) | (1ULL << 55)));

  struct M {
    const char* macro;
    const char* same_as;
  };
  for (const M m :
       {M{"@hourly", "0 * * * *"}, M{"@daily", "0 0 * * *"}, M{"@midnight", "0 0 * * *"},
        M{"@weekly", "0 0 * * 0"}, M{"@monthly", "0 0 1 * *"}, M{"@yearly", "0 0 1 1 *"},
        M{"@annually", "0 0 1 1 *"}}) {
    INFO(m.macro);
    auto a = parse_cron(m.macro, {"e"});
    CHECK(a.expression == m.macro);
    a.expression = m.same_as;
    CHECK(a == parse_cron(m.same_as, {"e"}));
  }
  CHECK(parse_cron("@DAILY", {"e"}).expression == "@daily");
}

TEST_CASE("cron: Vixie day-of-month OR day-of-week", "[schedule][parse]") {
  // both restricted: the 13th OR any Friday
  const auto s = parse(R"({"type":"cron","expression":"0 0 13 * 5"})");
  CHECK(fmt(next_fires(s, at("2026-02-01T00:00:00Z"), 4)) ==
        std::vector<std::string>{"2026-02-06T00:00:00Z", "2026-02-13T00:00:00Z",
                                 "2026-02-20T00:00:00Z", "2026-02-27T00:00:00Z"});
  CHECK(fmt(next_fires(s, at("2026-03-01T00:00:00Z"), 2)) ==
        std::vector<std::string>{"2026-03-06T00:00:00Z", "2026-03-13T00:00:00Z"});
  // a day field starting with '*' is unrestricted: AND (odd days that are Mondays)
  const auto a = parse(R"({"type":"cron","expression":"0 0 */2 * 1"})");
  CHECK(fmt(next_fires(a, at("2026-02-01T00:00:00Z"), 2)) ==
        std::vector<std::string>{"2026-02-09T00:00:00Z", "2026-02-23T00:00:00Z"});
  // Feb 29 only fires in leap years
  const auto leap = parse(R"({"type":"cron","expression":"0 12 29 2 *"})");
  CHECK(fmt(next_fires(leap, at("2026-01-01T00:00:00Z"), 2)) ==
        std::vector<std::string>{"2028-02-29T12:00:00Z", "2032-02-29T12:00:00Z"});
}

TEST_CASE("interval, once, daily, weekly, monthly and their aliases", "[schedule][parse]") {
  const auto iv = parse(R"({"type":"interval","interval_seconds":90})");
  CHECK(iv.interval_seconds == 90);
  REQUIRE(iv.start_at);
  CHECK(*iv.start_at == sched_test::kNow());  // anchored at creation time
  CHECK(fmt(next_fires(iv, sched_test::kNow(), 2)) ==
        std::vector<std::string>{"2026-01-01T00:01:30Z", "2026-01-01T00:03:00Z"});
  const auto im =
      parse(R"({"type":"interval","interval_minutes":5,"start_at":"2026-05-01T10:00:00Z"})");
  CHECK(im.interval_seconds == 300);
  CHECK(fmt({*first_fire(im, at("2026-05-01T10:07:00Z"))}) ==
        std::vector<std::string>{"2026-05-01T10:10:00Z"});
  CHECK(fmt({*first_fire(im, at("2026-01-01T00:00:00Z"))}) ==
        std::vector<std::string>{"2026-05-01T10:00:00Z"});

  const auto once = parse(R"({"type":"once","run_at":"2026-03-01T09:00:00+01:00"})");
  CHECK(once.run_at == at("2026-03-01T08:00:00Z"));
  CHECK(parse(R"({"type":"once","run_time":"2026-03-01T08:00:00Z"})") == once);
  // a time without an offset is wall-clock time in the schedule's zone
  CHECK(parse(R"({"type":"once","run_at":"2026-07-01T09:00:00","timezone":"Europe/Warsaw"})")
            .run_at == at("2026-07-01T07:00:00Z"));
  // first_fire of a past once is run_at itself (runs at once); next_fire after it is nothing
  CHECK(first_fire(once, at("2026-04-01T00:00:00Z")) == once.run_at);
  CHECK_FALSE(next_fire(once, once.run_at));

  const auto daily = parse(R"({"type":"daily","time":"07:05","timezone":"America/New_York"})");
  CHECK((daily.hour == 7 && daily.minute == 5));
  CHECK(parse(R"({"type":"daily","run_time":"7:05","timezone":"America/New_York"})") == daily);
  CHECK(parse(R"({"type":"daily","time":"07:05:00","timezone":"America/New_York"})") == daily);
  CHECK(fmt({*first_fire(daily, at("2026-07-01T11:05:00Z"))}) ==
        std::vector<std::string>{"2026-07-01T11:05:00Z"});  // at or after now

  const auto w1 = parse(R"({"type":"weekly","weekday":"Friday","time":"18:00"})");
  CHECK(w1.weekday == 5);
  CHECK(parse(R"({"type":"weekly","weekday":5,"time":"18:00"})") == w1);
  CHECK(parse(R"({"type":"weekly","weekday":"fri","time":"18:00"})") == w1);
  CHECK(fmt({*first_fire(w1, at("2026-01-01T00:00:00Z"))}) ==
        std::vector<std::string>{"2026-01-02T18:00:00Z"});

  const auto mo = parse(R"({"type":"monthly","day":31,"time":"00:00"})");
  CHECK(fmt(next_fires(mo, at("2026-01-31T00:00:00Z"), 2)) ==
        std::vector<std::string>{"2026-02-28T00:00:00Z", "2026-03-31T00:00:00Z"});
}

TEST_CASE("common fields: timezone, bounds, max_runs, misfire; to_json round trip",
          "[schedule][parse]") {
  const auto s = parse(R"({"type":"cron","cron_expression":"*/15 9-17 * * mon-fri",
      "timezone":"Australia/Lord_Howe","start_at":"2026-02-01T00:00:00Z",
      "end_at":"2026-12-31T00:00:00Z","max_runs":10,"misfire":"run_all"})");
  CHECK(s.timezone == "Australia/Lord_Howe");
  CHECK(s.max_runs == 10);
  CHECK(s.misfire == Misfire::run_all);
  const auto j = to_json(s);
  CHECK(j.at("expression") == "*/15 9-17 * * mon-fri");
  CHECK(j.at("start_at") == "2026-02-01T00:00:00Z");
  CHECK(j.at("misfire") == "run_all");
  CHECK_FALSE(j.contains("cron_expression"));
  check_round_trip(s);
  for (const char* text : {
           R"({"type":"interval","interval_minutes":7})",
           R"({"type":"interval","interval_seconds":3600,"start_at":"2026-01-01T00:00:00.250Z"})",
           R"({"type":"once","run_time":"2026-09-01T10:00:00Z","timezone":"Asia/Amman"})",
           R"({"type":"daily","run_time":"02:30","timezone":"Europe/Warsaw","misfire":"skip"})",
           R"({"type":"weekly","weekday":7,"time":"23:59","end_at":"2027-01-01T00:00:00Z"})",
           R"({"type":"monthly","day":29,"time":"12:00","timezone":"America/Santiago"})",
           R"({"type":"cron","expression":"@weekly","timezone":"America/New_York"})",
       }) {
    INFO(text);
    check_round_trip(parse(text));
  }
  CHECK(to_json(parse(R"({"type":"weekly","weekday":7,"time":"3:04"})")) ==
        boost::json::parse(R"({"type":"weekly","weekday":"sunday","time":"03:04",
                               "timezone":"UTC","misfire":"run_once"})"));
}

TEST_CASE("start_at and end_at bound next_fire", "[schedule][parse]") {
  const auto s = parse(R"({"type":"daily","time":"12:00","start_at":"2026-03-10T12:00:00Z",
                           "end_at":"2026-03-12T12:00:00Z"})");
  CHECK(fmt(next_fires(s, at("2026-01-01T00:00:00Z"), 10)) ==
        std::vector<std::string>{"2026-03-10T12:00:00Z", "2026-03-11T12:00:00Z",
                                 "2026-03-12T12:00:00Z"});
  CHECK_FALSE(first_fire(s, at("2026-03-12T12:00:01Z")));
}
