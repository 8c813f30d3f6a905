#include <catch2/catch.hpp>

#include "task/core/time.hpp"
#include "task/ports/id_generator.hpp"

using namespace task;

TEST_CASE("RFC 3339 round trip in UTC with Z", "[time]") {
  const auto t = parse_rfc3339("2026-11-26T22:09:29Z");
  REQUIRE(t);
  CHECK(format_rfc3339(*t) == "2026-11-26T22:09:29Z");
  const auto f = parse_rfc3339("2026-11-26T22:09:29.123456Z");
  REQUIRE(f);
  CHECK(format_rfc3339(*f) == "2026-11-26T22:09:29.123456Z");
  CHECK(to_unix_micros(*f) - to_unix_micros(*t) == 123456);
}

TEST_CASE("RFC 3339 offsets, fractions and missing offset", "[time]") {
  CHECK(format_rfc3339(*parse_rfc3339("2026-03-29T03:30:00+02:00")) == "2026-03-29T01:30:00Z");
  CHECK(format_rfc3339(*parse_rfc3339("2026-03-29T01:30:00-05:30")) == "2026-03-29T07:00:00Z");
  CHECK(format_rfc3339(*parse_rfc3339("2026-03-29T01:30:00")) == "2026-03-29T01:30:00Z");
  CHECK(format_rfc3339(*parse_rfc3339("2026-03-29 01:30")) == "2026-03-29T01:30:00Z");
  CHECK(format_rfc3339(*parse_rfc3339("2026-12-01")) == "2026-12-01T00:00:00Z");
  CHECK(format_rfc3339(*parse_rfc3339("2026-12-01T00:00:00.5Z")) == "2026-12-01T00:00:00.500000Z");
  CHECK(format_rfc3339(*parse_rfc3339("2026-12-01T00:00:00.123456789Z")) ==
        "2026-12-01T00:00:00.123456Z");
  CHECK(format_rfc3339(*parse_rfc3339("1969-12-31T23:59:59.5Z")) == "1969-12-31T23:59:59.500000Z");
}

TEST_CASE("RFC 3339 text of instants across years 0001-9999 and beyond", "[time]") {
  CHECK(format_rfc3339(*parse_rfc3339("0001-01-01T00:00:00Z")) == "0001-01-01T00:00:00Z");
  CHECK(format_rfc3339(*parse_rfc3339("9999-12-31T23:59:59.999999Z")) ==
        "9999-12-31T23:59:59.999999Z");
  CHECK(format_rfc3339(*parse_rfc3339("2026-02-03T04:05:06.000001Z")) ==
        "2026-02-03T04:05:06.000001Z");
  // Outside 0000-9999 (a damaged row only): printf's "%04d" year, as before.
  CHECK(format_rfc3339(Timestamp{} - std::chrono::hours(24 * 366 * 2000)) ==
        "-035-11-08T00:00:00Z");
  const auto after = format_rfc3339(Timestamp{} + std::chrono::hours(24 * 366 * 9000));
  CHECK(after.rfind("10", 0) == 0);
  CHECK(after.size() == std::string("10000-01-01T00:00:00Z").size());
  // Every text reads back as its instant (microseconds over the whole range).
  std::uint64_t x = 88172645463325252ull;
  const auto span = to_unix_micros(*parse_rfc3339("9999-12-31T23:59:59.999999Z")) -
                    to_unix_micros(*parse_rfc3339("0001-01-01T00:00:00Z"));
  for (int i = 0; i < 2000; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    const auto t = *parse_rfc3339("0001-01-01T00:00:00Z") +
                   Micros(static_cast<std::int64_t>(x % static_cast<std::uint64_t>(span)));
    const auto text = format_rfc3339(t);
    INFO(text);
    REQUIRE(parse_rfc3339(text) == t);
  }
}

TEST_CASE("RFC 3339 rejects impossible and malformed input", "[time]") {
  for (const char* bad :
       {"", "2026", "2026-02-30", "2026-02-29T00:00:00Z", "2026-13-01", "2026-00-10",
        "2026-01-01T24:00:00Z", "2026-01-01T10:60:00Z", "2026-01-01T10:00:61Z",
        "2026-01-01T10:00:00+25:00", "2026-01-01T10:00:00Q", "2026-01-01T10:00:00.Z", "tomorrow",
        "2026-01-01T10", "2026-1-1"}) {
    INFO(bad);
    CHECK_FALSE(parse_rfc3339(bad).has_value());
  }
  CHECK(parse_rfc3339("2028-02-29T00:00:00Z").has_value());  // leap year
}

TEST_CASE("generated ids have the documented shape and do not repeat", "[ids]") {
  RandomIdGenerator ids;
  const auto a = ids.task_id();
  const auto b = ids.task_id();
  CHECK(is_generated_id(a, "tsk_"));
  CHECK(is_generated_id(ids.execution_id(), "exe_"));
  CHECK(a != b);
  CHECK_FALSE(is_generated_id("tsk_ABC", "tsk_"));
  CHECK_FALSE(is_generated_id("tsk_0123456789abcdef0123456g", "tsk_"));
  const auto u = ids.event_id();
  CHECK(u.size() == 36);
  CHECK(u[14] == '4');
}
