/// Misfire policies after a simulated outage, max_runs, end_at and once completion (plan_due).
#include <catch2/catch.hpp>

#include "schedule_test_util.hpp"

using namespace task;
using namespace task::schedule;
using sched_test::at;
using sched_test::fmt;
using Strings = std::vector<std::string>;

namespace {

Schedule hourly(const char* misfire, const std::string& extra = "") {
  return sched_test::parse(std::string(R"({"type":"cron","expression":"0 * * * *","misfire":")") +
                           misfire + "\"" + extra + "}");
}

}  // namespace

TEST_CASE("3-hour outage: run_once, skip and run_all", "[schedule][misfire]") {
  // slot 09:00 was due; the service was down until 12:10
  const auto due = at("2026-05-04T09:00:00Z");
  const auto now = at("2026-05-04T12:10:00Z");

  const auto once = plan_due(hourly("run_once"), due, now, 0);
  CHECK(fmt(once.run) == Strings{"2026-05-04T12:00:00Z"});  // the latest missed slot only
  CHECK(fmt({*once.next}) == Strings{"2026-05-04T13:00:00Z"});

  const auto skip = plan_due(hourly("skip"), due, now, 0);
  CHECK(skip.run.empty());  // 12:00 is 10 minutes late (> 60 s grace)
  CHECK(fmt({*skip.next}) == Strings{"2026-05-04T13:00:00Z"});

  const auto all = plan_due(hourly("run_all"), due, now, 0);
  CHECK(fmt(all.run) == Strings{"2026-05-04T09:00:00Z", "2026-05-04T10:00:00Z",
                                "2026-05-04T11:00:00Z", "2026-05-04T12:00:00Z"});
  CHECK(fmt({*all.next}) == Strings{"2026-05-04T13:00:00Z"});
}

TEST_CASE("skip: a slot within the grace period is on time", "[schedule][misfire]") {
  const auto s = hourly("skip");
  // back up 30 s after 12:00: 12:00 runs, 09:00-11:00 are skipped
  const auto p = plan_due(s, at("2026-05-04T09:00:00Z"), at("2026-05-04T12:00:30Z"), 0);
  CHECK(fmt(p.run) == Strings{"2026-05-04T12:00:00Z"});
  // the normal case: the due slot picked up a few seconds late
  const auto q = plan_due(s, at("2026-05-04T12:00:00Z"), at("2026-05-04T12:00:05Z"), 0);
  CHECK(fmt(q.run) == Strings{"2026-05-04T12:00:00Z"});
  CHECK(fmt({*q.next}) == Strings{"2026-05-04T13:00:00Z"});
  // exactly at the grace limit still runs, just after it does not
  CHECK(plan_due(s, at("2026-05-04T12:00:00Z"), at("2026-05-04T12:01:00Z"), 0).run.size() == 1);
  CHECK(plan_due(s, at("2026-05-04T12:00:00Z"), at("2026-05-04T12:01:00.000001Z"), 0).run.empty());
}

TEST_CASE("run_all runs at most 100 missed slots, the most recent ones", "[schedule][misfire]") {
  const auto s =
      sched_test::parse(R"({"type":"cron","expression":"* * * * *","misfire":"run_all"})");
  const auto p = plan_due(s, at("2026-05-04T09:00:00Z"), at("2026-05-04T12:00:00Z"), 0);
  REQUIRE(p.run.size() == 100);
  CHECK(format_rfc3339(p.run.front()) == "2026-05-04T10:21:00Z");
  CHECK(format_rfc3339(p.run.back()) == "2026-05-04T12:00:00Z");
  for (std::size_t i = 1; i < p.run.size(); ++i)
    CHECK(p.run[i] - p.run[i - 1] == std::chrono::minutes{1});
  CHECK(fmt({*p.next}) == Strings{"2026-05-04T12:01:00Z"});
  // a year-long outage of a minutely job is still cheap and correct
  const auto y = plan_due(s, at("2025-05-04T09:00:00Z"), at("2026-05-04T12:00:30Z"), 0);
  REQUIRE(y.run.size() == 100);
  CHECK(format_rfc3339(y.run.back()) == "2026-05-04T12:00:00Z");
}

TEST_CASE("interval schedule after an outage", "[schedule][misfire]") {
  const auto s = sched_test::parse(
      R"({"type":"interval","interval_minutes":45,"start_at":"2026-05-04T08:00:00Z","misfire":"run_all"})");
  const auto p = plan_due(s, at("2026-05-04T08:45:00Z"), at("2026-05-04T11:50:00Z"), 0);
  CHECK(fmt(p.run) == Strings{"2026-05-04T08:45:00Z", "2026-05-04T09:30:00Z",
                              "2026-05-04T10:15:00Z", "2026-05-04T11:00:00Z",
                              "2026-05-04T11:45:00Z"});
  CHECK(fmt({*p.next}) == Strings{"2026-05-04T12:30:00Z"});
}

TEST_CASE("max_runs and end_at stop a schedule", "[schedule][misfire]") {
  const auto due = at("2026-05-04T09:00:00Z");
  const auto now = at("2026-05-04T12:10:00Z");
  const auto limited = hourly("run_all", R"(,"max_runs":3)");
  const auto p = plan_due(limited, due, now, 2);  // one run left
  CHECK(fmt(p.run) == Strings{"2026-05-04T12:00:00Z"});
  CHECK_FALSE(p.next);
  const auto done = plan_due(limited, due, now, 3);
  CHECK(done.run.empty());
  CHECK_FALSE(done.next);
  const auto more = plan_due(limited, at("2026-05-04T12:00:00Z"), at("2026-05-04T12:00:01Z"), 1);
  CHECK(fmt(more.run) == Strings{"2026-05-04T12:00:00Z"});
  CHECK(fmt({*more.next}) == Strings{"2026-05-04T13:00:00Z"});

  const auto ending = hourly("run_all", R"(,"end_at":"2026-05-04T10:30:00Z")");
  const auto e = plan_due(ending, due, now, 0);
  CHECK(fmt(e.run) == Strings{"2026-05-04T09:00:00Z", "2026-05-04T10:00:00Z"});
  CHECK_FALSE(e.next);
  CHECK_FALSE(next_fire(ending, at("2026-05-04T10:00:00Z")));
}

TEST_CASE("once completes after its run; a due slot in the future is not run",
          "[schedule][misfire]") {
  const auto s = sched_test::parse(R"({"type":"once","run_at":"2026-05-04T09:00:00Z"})");
  const auto p = plan_due(s, s.run_at, at("2026-05-04T11:00:00Z"), 0);
  CHECK(fmt(p.run) == Strings{"2026-05-04T09:00:00Z"});
  CHECK_FALSE(p.next);
  const auto early = plan_due(s, s.run_at, at("2026-05-04T08:00:00Z"), 0);
  CHECK(early.run.empty());
  CHECK(early.next == s.run_at);
}
