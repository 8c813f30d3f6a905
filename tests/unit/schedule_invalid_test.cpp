/// A table of invalid schedules: each yields task::ValidationError whose first error names the
/// field (under the given loc prefix) and says what is wrong; nothing else is thrown.
#include <catch2/catch.hpp>

#include <exception>

#include "schedule_test_util.hpp"
#include "task/core/errors.hpp"

using namespace task;
using namespace task::schedule;

namespace {

struct Bad {
  const char* json;
  const char* field;    ///< last element of the error's loc ("" = the schedule itself)
  const char* message;  ///< a substring of the message
};

const Bad kBad[] = {
    // cron fields
    {R"({"type":"cron","expression":"61 * * * *"})", "expression",
     "minute field: 61 is out of range 0-59"},
    {R"({"type":"cron","expression":"* 24 * * *"})", "expression",
     "hour field: 24 is out of range 0-23"},
    {R"({"type":"cron","expression":"* * 0 * *"})", "expression",
     "day-of-month field: 0 is out of range 1-31"},
    {R"({"type":"cron","expression":"* * 32 * *"})", "expression",
     "day-of-month field: 32 is out of range 1-31"},
    {R"({"type":"cron","expression":"* * * 13 *"})", "expression",
     "month field: 13 is out of range 1-12"},
    {R"({"type":"cron","expression":"* * * 0 *"})", "expression", "month field: 0 is out of range"},
    {R"({"type":"cron","expression":"* * * * 8"})", "expression",
     "day-of-week field: 8 is out of range 0-7"},
    {R"({"type":"cron","expression":"*/0 * * * *"})", "expression", "minute field: step 0"},
    {R"({"type":"cron","expression":"*/x * * * *"})", "expression", "bad step 'x'"},
    {R"({"type":"cron","expression":"*/ * * * *"})", "expression", "bad step"},
    {R"({"type":"cron","expression":"5-3 * * * *"})", "expression", "range 5-3 is backwards"},
    {R"({"type":"cron","expression":"* * * foo *"})", "expression",
     "month field: unknown name 'foo'"},
    {R"({"type":"cron","expression":"* * * * funday"})", "expression",
     "day-of-week field: unknown name 'funday'"},
    {R"({"type":"cron","expression":"* * * * mon-xyz"})", "expression", "unknown name 'xyz'"},
    {R"({"type":"cron","expression":"abc * * * *"})", "expression",
     "minute field: 'abc' is not a number"},
    {R"({"type":"cron","expression":"1,,2 * * * *"})", "expression", "empty list item"},
    {R"({"type":"cron","expression":"-1 * * * *"})", "expression", "minute field: missing value"},
    {R"({"type":"cron","expression":"* * L * *"})", "expression", "'L' is not a number"},
    {R"({"type":"cron","expression":"* * * * 5#2"})", "expression", "'#' is not supported"},
    {R"({"type":"cron","expression":"* * ? * *"})", "expression", "'?' is not supported"},
    {R"({"type":"cron","expression":"0 0 * * * *"})", "expression", "expected 5 fields"},
    {R"({"type":"cron","expression":"0 0 * *"})", "expression", "got 4"},
    {R"({"type":"cron","expression":""})", "expression", "empty"},
    {R"({"type":"cron","expression":"   "})", "expression", "empty"},
    {R"({"type":"cron","expression":"@reboot"})", "expression", "unknown macro '@reboot'"},
    {R"({"type":"cron","expression":"0 0 30 2 *"})", "expression", "never fires"},
    {R"({"type":"cron","expression":"0 0 31 4,6,9,11 *"})", "expression", "never fires"},
    {R"({"type":"cron","cron_expression":"99 * * * *"})", "cron_expression", "minute field"},
    {R"({"type":"cron","expression":5})", "expression", "must be a string"},
    {R"({"type":"cron"})", "expression", "field required"},
    // type
    {R"({"expression":"* * * * *"})", "type", "field required"},
    {R"({"type":"hourly"})", "type", "unknown schedule type 'hourly'"},
    {R"({"type":1})", "type", "must be a string"},
    // interval
    {R"({"type":"interval","interval_seconds":59})", "interval_seconds", "at least 60 s"},
    {R"({"type":"interval","interval_seconds":0})", "interval_seconds", "out of range"},
    {R"({"type":"interval","interval_seconds":-60})", "interval_seconds", "out of range"},
    {R"({"type":"interval","interval_seconds":"60"})", "interval_seconds", "must be an integer"},
    {R"({"type":"interval","interval_seconds":90.5})", "interval_seconds", "must be an integer"},
    {R"({"type":"interval","interval_minutes":0})", "interval_minutes", "out of range 1-"},
    {R"({"type":"interval"})", "interval_seconds", "field required"},
    // once
    {R"({"type":"once"})", "run_at", "field required"},
    {R"({"type":"once","run_at":"tomorrow"})", "run_at", "not an RFC 3339 date-time"},
    {R"({"type":"once","run_time":"2026-02-30T10:00:00Z"})", "run_time", "not an RFC 3339"},
    {R"({"type":"once","run_at":12345})", "run_at", "must be a string"},
    {R"({"type":"once","run_at":"2026-01-01T00:00:00Z","start_at":"2026-02-01T00:00:00Z"})",
     "run_at", "outside start_at..end_at"},
    // daily / weekly / monthly
    {R"({"type":"daily"})", "time", "field required"},
    {R"({"type":"daily","time":"25:00"})", "time", "hour 25 is out of range 0-23"},
    {R"({"type":"daily","time":"12:60"})", "time", "minute 60 is out of range 0-59"},
    {R"({"type":"daily","time":"noon"})", "time", "must be \"HH:MM\""},
    {R"({"type":"daily","time":"12:00:30"})", "time", "must be \"HH:MM\""},
    {R"({"type":"daily","run_time":"1200"})", "run_time", "must be \"HH:MM\""},
    {R"({"type":"daily","time":1200})", "time", "must be a string"},
    {R"({"type":"weekly","time":"10:00"})", "weekday", "field required"},
    {R"({"type":"weekly","weekday":"someday","time":"10:00"})", "weekday", "unknown weekday"},
    {R"({"type":"weekly","weekday":0,"time":"10:00"})", "weekday", "0 is out of range 1-7"},
    {R"({"type":"weekly","weekday":8,"time":"10:00"})", "weekday", "8 is out of range 1-7"},
    {R"({"type":"weekly","weekday":true,"time":"10:00"})", "weekday", "weekday name or"},
    {R"({"type":"weekly","weekday":"monday"})", "time", "field required"},
    {R"({"type":"monthly","day":0,"time":"10:00"})", "day", "day 0 is out of range 1-31"},
    {R"({"type":"monthly","day":32,"time":"10:00"})", "day", "day 32 is out of range 1-31"},
    {R"({"type":"monthly","day":"1","time":"10:00"})", "day", "must be an integer"},
    {R"({"type":"monthly","time":"10:00"})", "day", "field required"},
    // common fields
    {R"({"type":"daily","time":"10:00","timezone":"Mars/Olympus"})", "timezone",
     "unknown time zone 'Mars/Olympus'"},
    {R"({"type":"daily","time":"10:00","timezone":""})", "timezone", "unknown time zone"},
    {R"({"type":"daily","time":"10:00","timezone":"../../etc/passwd"})", "timezone",
     "unknown time zone"},
    {R"({"type":"daily","time":"10:00","timezone":"localtime"})", "timezone", "unknown time zone"},
    {R"({"type":"cron","expression":"0 0 * * *","timezone":"utc"})", "timezone",
     "unknown time zone 'utc'"},
    {R"({"type":"daily","time":"10:00","timezone":3})", "timezone", "must be a string"},
    {R"({"type":"daily","time":"10:00","start_at":"2026-02-01T00:00:00Z",
        "end_at":"2026-01-01T00:00:00Z"})",
     "end_at", "must be after start_at"},
    // an interval without start_at is anchored at now, which end_at must follow (found by
    // fuzz_schedule: the stored form did not parse back)
    {R"({"type":"interval","interval_seconds":60,"end_at":"0200-12-31T23:59:59Z"})", "end_at",
     "must be after start_at (the interval's anchor"},
    // an integer field far outside int64 (converting it was undefined behaviour)
    {R"({"type":"interval","interval_seconds":1e300})", "interval_seconds", "must be an integer"},
    {R"({"type":"weekly","weekday":-1e300,"time":"10:00"})", "weekday", "must be an integer"},
    {R"({"type":"daily","time":"10:00","start_at":"yesterday"})", "start_at", "not an RFC 3339"},
    {R"({"type":"daily","time":"10:00","end_at":false})", "end_at", "must be a string"},
    {R"({"type":"daily","time":"10:00","max_runs":0})", "max_runs", "at least 1"},
    {R"({"type":"daily","time":"10:00","max_runs":"3"})", "max_runs", "must be an integer"},
    {R"({"type":"daily","time":"10:00","misfire":"sometimes"})", "misfire",
     "unknown misfire policy 'sometimes'"},
    // not an object
    {R"("0 7 * * *")", "schedule", "must be a JSON object"},
    {R"([])", "schedule", "must be a JSON object"},
    {R"(null)", "schedule", "must be a JSON object"},
};

}  // namespace

TEST_CASE("invalid schedules yield ValidationError naming the field", "[schedule][invalid]") {
  STATIC_REQUIRE(sizeof(kBad) / sizeof(kBad[0]) >= 40);
  for (const auto& bad : kBad) {
    INFO(bad.json);
    bool validation_error = false;
    try {
      parse_schedule(boost::json::parse(bad.json), sched_test::kNow(), {"body", "schedule"});
    } catch (const ValidationError& e) {
      validation_error = true;
      REQUIRE_FALSE(e.errors.empty());
      const auto& loc = e.errors.front().loc;
      REQUIRE(loc.size() >= 2);
      CHECK(loc[0] == "body");
      CHECK(loc[1] == "schedule");
      CHECK(loc.back() == bad.field);
      CHECK_THAT(e.errors.front().msg, Catch::Contains(bad.message));
    } catch (const std::exception& e) {
      FAIL("unexpected exception: " << e.what());
    }
    CHECK(validation_error);
  }
}

TEST_CASE("several problems are reported together", "[schedule][invalid]") {
  try {
    parse_schedule(boost::json::parse(R"({"type":"monthly","day":40,"time":"x",
                                           "timezone":"Nowhere/City","max_runs":-1})"),
                   sched_test::kNow());
    FAIL("no error");
  } catch (const ValidationError& e) {
    std::vector<std::string> fields;
    for (const auto& fe : e.errors)
      fields.push_back(fe.loc.back());
    CHECK(fields == std::vector<std::string>{"timezone", "max_runs", "day", "time"});
  }
}
