/// DST matrix: spring-forward and fall-back days in six zones for a daily job inside the
/// gap / repeated interval, an hourly and a minutely cron job. Transitions were looked up in the
/// system tz database (and are asserted below with date's get_info, so a changed tzdata fails
/// loudly instead of silently testing nothing).
#include <catch2/catch.hpp>

#include "schedule_test_util.hpp"

using namespace task;
using namespace task::schedule;
using sched_test::at;
using sched_test::fmt;
using sched_test::kDstDays;

namespace {

Schedule make(const std::string& zone, const std::string& body) {
  return sched_test::parse(R"({"timezone":")" + zone + R"(",)" + body + "}");
}

void check_increasing(const std::vector<Timestamp>& fires) {
  for (std::size_t i = 1; i < fires.size(); ++i)
    REQUIRE(fires[i - 1] < fires[i]);
}

}  // namespace

TEST_CASE("DST matrix: the transitions are where the table says", "[schedule][dst]") {
  for (const auto& tr : kDstDays) {
    INFO(tr.zone << " " << tr.instant);
    const auto* zone = date::locate_zone(tr.zone);
    const auto t = at(tr.instant);
    const auto before = zone->get_info(t - std::chrono::seconds{1});
    const auto after = zone->get_info(t);
    CHECK(before.end == std::chrono::time_point_cast<std::chrono::seconds>(t));
    CHECK((after.offset > before.offset) == tr.spring);
  }
}

TEST_CASE("DST matrix: daily job inside the gap / repeated interval fires exactly once",
          "[schedule][dst]") {
  for (const auto& tr : kDstDays) {
    INFO(tr.zone << " " << (tr.spring ? "spring" : "fall") << " daily " << tr.daily_time);
    const auto s = make(tr.zone, std::string(R"("type":"daily","time":")") + tr.daily_time + "\"");
    const auto t = at(tr.instant);
    const auto fires = next_fires(s, t - std::chrono::hours{36}, 3);
    REQUIRE(fires.size() == 3);
    check_increasing(fires);
    // the day before, the transition day (exactly one fire, the expected one), the day after
    CHECK(fmt({fires[1]}) == std::vector<std::string>{tr.on_day});
    CHECK(fires[1] - fires[0] >= std::chrono::hours{22});
    CHECK(fires[2] - fires[1] >= std::chrono::hours{22});
    // and the brute-force reference agrees over the three days
    const int h = std::stoi(std::string(tr.daily_time).substr(0, 2));
    const int m = std::stoi(std::string(tr.daily_time).substr(3, 2));
    const auto ref = sched_test::reference_fires(
        tr.zone,
        [&](auto x) {
          const auto tod = x - date::floor<date::days>(x);
          return tod == std::chrono::hours{h} + std::chrono::minutes{m};
        },
        t - std::chrono::hours{36}, fires[2]);
    CHECK(fmt(ref) == fmt(fires));
  }
}

TEST_CASE("DST matrix: hourly and minutely cron around each transition match the reference",
          "[schedule][dst]") {
  for (const auto& tr : kDstDays) {
    const auto t = at(tr.instant);
    const auto from = t - std::chrono::hours{3};
    const auto to = t + std::chrono::hours{3};
    // minute 15 and 45 both land inside Lord Howe's 30-minute gap/repeat and an hour-long one
    for (const char* expr : {"15 * * * *", "45 * * * *", "0 * * * *", "* * * * *"}) {
      INFO(tr.zone << " " << tr.instant << " cron " << expr);
      const auto s = make(tr.zone, std::string(R"("type":"cron","expression":")") + expr + "\"");
      const auto spec = s.cron;
      std::vector<Timestamp> ours;
      for (auto f = next_fire(s, from); f && *f <= to; f = next_fire(s, *f))
        ours.push_back(*f);
      check_increasing(ours);
      const auto ref = sched_test::reference_fires(
          tr.zone,
          [&](auto x) {
            const auto tod = (x - date::floor<date::days>(x)).count();
            return (spec.minutes >> (tod % 60) & 1U) && (spec.hours >> (tod / 60) & 1U);
          },
          from, to);
      CHECK(fmt(ours) == fmt(ref));
    }
  }
}

TEST_CASE("DST worked examples", "[schedule][dst]") {
  SECTION("Warsaw daily 02:30 (docs/schedules.md): spring 03:00 CEST, fall first 02:30 only") {
    const auto s = make("Europe/Warsaw", R"("type":"daily","time":"02:30")");
    CHECK(fmt(next_fires(s, at("2027-03-27T00:00:00Z"), 3)) ==
          std::vector<std::string>{"2027-03-27T01:30:00Z",    // 02:30 CET
                                   "2027-03-28T01:00:00Z",    // no 02:30 -> 03:00 CEST
                                   "2027-03-29T00:30:00Z"});  // 02:30 CEST
    CHECK(fmt(next_fires(s, at("2027-10-30T00:00:00Z"), 3)) ==
          std::vector<std::string>{"2027-10-30T00:30:00Z",    // 02:30 CEST
                                   "2027-10-31T00:30:00Z",    // first 02:30 (CEST)
                                   "2027-11-01T01:30:00Z"});  // 02:30 CET
  }
  SECTION("Warsaw spring: hourly at :30 — 02:30 does not exist, fires at 03:00 CEST") {
    const auto s = make("Europe/Warsaw", R"("type":"cron","expression":"30 * * * *")");
    CHECK(fmt(next_fires(s, at("2027-03-28T00:00:00Z"), 3)) ==
          std::vector<std::string>{"2027-03-28T00:30:00Z",    // 01:30 CET
                                   "2027-03-28T01:00:00Z",    // 02:30 -> 03:00 CEST
                                   "2027-03-28T01:30:00Z"});  // 03:30 CEST
  }
  SECTION("Warsaw fall: hourly at :30 — 02:30 happens twice, fires at the first only") {
    const auto s = make("Europe/Warsaw", R"("type":"cron","expression":"30 * * * *")");
    CHECK(fmt(next_fires(s, at("2027-10-30T23:00:00Z"), 3)) ==
          std::vector<std::string>{"2027-10-30T23:30:00Z",    // 01:30 CEST
                                   "2027-10-31T00:30:00Z",    // 02:30 CEST (first)
                                   "2027-10-31T02:30:00Z"});  // 03:30 CET
  }
  SECTION("New York fall: minutely — after 01:59 EDT the next slot is 02:00 EST") {
    const auto s = make("America/New_York", R"("type":"cron","expression":"* * * * *")");
    CHECK(fmt(next_fires(s, at("2026-11-01T05:58:00Z"), 3)) ==
          std::vector<std::string>{"2026-11-01T05:59:00Z", "2026-11-01T07:00:00Z",
                                   "2026-11-01T07:01:00Z"});
    // asked from inside the repeated hour (01:30 EST), the next slot is 02:00 EST
    CHECK(fmt({*next_fire(s, at("2026-11-01T06:30:00Z"))}) ==
          std::vector<std::string>{"2026-11-01T07:00:00Z"});
  }
  SECTION("New York spring: minutely — 01:59 EST then 03:00 EDT, once") {
    const auto s = make("America/New_York", R"("type":"cron","expression":"* * * * *")");
    CHECK(fmt(next_fires(s, at("2026-03-08T06:58:00Z"), 3)) ==
          std::vector<std::string>{"2026-03-08T06:59:00Z", "2026-03-08T07:00:00Z",
                                   "2026-03-08T07:01:00Z"});
  }
  SECTION("Monthly on the 31st clamps to the last day; weekly in Sydney") {
    const auto m = make("Europe/Warsaw", R"("type":"monthly","day":31,"time":"09:00")");
    CHECK(fmt(next_fires(m, at("2026-01-31T09:00:00Z"), 3)) ==
          std::vector<std::string>{"2026-02-28T08:00:00Z", "2026-03-31T07:00:00Z",
                                   "2026-04-30T07:00:00Z"});
    const auto w = make("Australia/Sydney", R"("type":"weekly","weekday":"sunday","time":"02:30")");
    CHECK(fmt(next_fires(w, at("2026-09-30T00:00:00Z"), 2)) ==
          std::vector<std::string>{"2026-10-03T16:00:00Z",    // Sun 4 Oct 02:30 -> 03:00 AEDT
                                   "2026-10-10T15:30:00Z"});  // Sun 11 Oct 02:30 AEDT
  }
}
