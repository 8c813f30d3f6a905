// Timestamps stay in the years 0001-9999 (issue 12 #6): refused at input with a location, and no
// schedule computes a slot past 9999-12-31.
#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include "schedule_test_util.hpp"
#include "task/core/errors.hpp"
#include "task/core/time_bounds.hpp"
#include "task/rules/requests.hpp"

using namespace task;

namespace {

/// The field errors of a create request with body `text` at `now`; empty when it is valid.
std::vector<FieldError> create_errors(const char* text, Timestamp now) {
  try {
    parse_create_request(boost::json::parse(text), now);
  } catch (const ValidationError& e) {
    return e.errors;
  }
  return {};
}

bool has_error(const std::vector<FieldError>& errs, const std::vector<std::string>& loc,
               const std::string& type) {
  for (const auto& e : errs)
    if (e.loc == loc && e.type == type) return true;
  return false;
}

}  // namespace

TEST_CASE("RFC 3339 input is bounded to the years 0001-9999", "[time]") {
  CHECK(format_rfc3339(kEarliestTimestamp) == "0001-01-01T00:00:00Z");
  CHECK(format_rfc3339(kLatestTimestamp) == "9999-12-31T23:59:59.999999Z");
  CHECK(parse_rfc3339("0001-01-01T00:00:00Z") == kEarliestTimestamp);
  CHECK(parse_rfc3339("9999-12-31T23:59:59.999999Z") == kLatestTimestamp);
  CHECK(parse_rfc3339("9999-12-31T23:59:59.9999999Z") == kLatestTimestamp);  // truncated to µs
  for (const char* out : {"0000-12-31T23:59:59Z", "0000-01-01", "9999-12-31T23:59:59-00:01",
                          "0001-01-01T00:30:00+01:00", "9999-12-31T23:30:00-01:00"}) {
    INFO(out);
    CHECK_FALSE(parse_rfc3339(out));
    CHECK(rfc3339_out_of_range(out));
  }
  // What an earlier release wrote for such instants is not RFC 3339 at all.
  for (const char* bad : {"10000-01-01T00:00:00Z", "-001-12-31T00:00:00Z", "+2026-01-01"}) {
    INFO(bad);
    CHECK_FALSE(parse_rfc3339(bad));
    CHECK_FALSE(rfc3339_out_of_range(bad));
  }
}

TEST_CASE("date fields out of range are a 422 with their location", "[time][rules]") {
  const Timestamp now = sched_test::at("2026-01-01T00:00:00Z");
  auto errs = create_errors(R"({"name":"n","task_type":"todo",
        "due_date":"0000-12-31T00:00:00Z","reminder_time":"9999-12-31T23:59:59-05:00"})",
                            now);
  CHECK(has_error(errs, {"body", "due_date"}, "datetime_range"));
  CHECK(has_error(errs, {"body", "reminder_time"}, "datetime_range"));
  errs = create_errors(R"({"name":"n","task_type":"todo",
        "schedule":{"type":"once","run_at":"0000-06-01T00:00:00Z"}})",
                       now);
  CHECK(has_error(errs, {"body", "schedule", "run_at"}, "datetime_range"));
  // A wall-clock time that its zone moves past 9999-12-31 UTC.
  errs = create_errors(R"({"name":"n","task_type":"todo",
        "schedule":{"type":"interval","interval_seconds":3600,"timezone":"America/New_York",
                    "start_at":"9999-12-31T23:00:00"}})",
                       now);
  CHECK(has_error(errs, {"body", "schedule", "start_at"}, "datetime_range"));
  // calendar_event's event_time is a date field as well.
  errs = create_errors(R"({"name":"n","task_type":"calendar_event",
        "config":{"event_time":"0000-01-01T00:00:00Z"}})",
                       now);
  CHECK(has_error(errs, {"body", "config", "event_time"}, "datetime_range"));
}

TEST_CASE("no schedule computes a slot after 9999-12-31: it ends there", "[time][schedule]") {
  using sched_test::at;
  const auto interval = schedule::parse_schedule(
      boost::json::parse(
          R"({"type":"interval","interval_seconds":86400,"start_at":"9999-12-30T12:00:00Z"})"),
      at("2026-01-01T00:00:00Z"));
  CHECK(sched_test::fmt(schedule::next_fires(interval, at("9999-01-01T00:00:00Z"), 5)) ==
        std::vector<std::string>{"9999-12-30T12:00:00Z", "9999-12-31T12:00:00Z"});
  CHECK_FALSE(schedule::next_fire(interval, at("9999-12-31T12:00:00Z")));
  const auto daily = schedule::parse_schedule(
      boost::json::parse(R"({"type":"daily","time":"23:30","timezone":"Pacific/Kiritimati"})"),
      at("2026-01-01T00:00:00Z"));
  // 23:30 at UTC+14 on 9999-12-31 is 09:30 UTC the same day; the next would be 10000-01-01 local.
  CHECK(sched_test::fmt(schedule::next_fires(daily, at("9999-12-30T00:00:00Z"), 5)) ==
        std::vector<std::string>{"9999-12-30T09:30:00Z", "9999-12-31T09:30:00Z"});
  const auto cron = schedule::parse_schedule(
      boost::json::parse(R"({"type":"cron","expression":"0 0 * * *","timezone":"Etc/GMT+12"})"),
      at("2026-01-01T00:00:00Z"));
  // Local midnight 9999-12-31 at UTC-12 is 12:00 UTC; 10000-01-01 local would be past the end.
  CHECK(sched_test::fmt(schedule::next_fires(cron, at("9999-12-31T00:00:00Z"), 3)) ==
        std::vector<std::string>{"9999-12-31T12:00:00Z"});
  // The longest interval (10 years) from a late start: the first slot, then none.
  const auto longest = schedule::parse_schedule(
      boost::json::parse(
          R"({"type":"interval","interval_seconds":316224000,"start_at":"9995-01-01T00:00:00Z"})"),
      at("2026-01-01T00:00:00Z"));
  CHECK(sched_test::fmt(schedule::next_fires(longest, at("9990-01-01T00:00:00Z"), 3)) ==
        std::vector<std::string>{"9995-01-01T00:00:00Z"});
}
