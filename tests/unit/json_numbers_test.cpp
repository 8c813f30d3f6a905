// Numbers in JSON (docs/api.md "Numbers in JSON"): exact parsing, the writer, what a store can
// hold, and the rules that keep an unstorable value out of storage.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "task/codec/json_codec.hpp"
#include "task/codec/json_numbers.hpp"
#include "task/core/errors.hpp"
#include "task/rules/analytics.hpp"
#include "task/rules/requests.hpp"
#include "test_support.hpp"

using namespace task;
using task::test::Fixture;
using task::test::J;
namespace json = boost::json;

namespace {

json::value parse_ok(std::string_view text) {
  boost::system::error_code ec;
  auto v = parse_json(text, ec);
  INFO(text);
  REQUIRE_FALSE(ec);
  return v;
}

/// The shortest digits of `d` in positional notation (as PostgreSQL prints a jsonb number).
std::string positional(double d) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string s(buf, r.ptr);
  const bool negative = s[0] == '-';
  if (negative) s.erase(0, 1);
  const auto e = s.find('e');
  const int exponent = std::stoi(s.substr(e + 1));
  std::string digits;
  for (char c : s.substr(0, e))
    if (c != '.') digits += c;
  const int point = exponent + 1;
  std::string out;
  if (point <= 0)
    out = "0." + std::string(static_cast<std::size_t>(-point), '0') + digits;
  else if (static_cast<std::size_t>(point) >= digits.size())
    out = digits + std::string(static_cast<std::size_t>(point) - digits.size(), '0');
  else
    out = digits.substr(0, static_cast<std::size_t>(point)) + "." +
          digits.substr(static_cast<std::size_t>(point));
  return (negative ? "-" : "") + out;
}

std::vector<FieldError> validation_errors(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const ValidationError& e) {
    return e.errors;
  }
  FAIL("no ValidationError");
  return {};
}

}  // namespace

TEST_CASE("json numbers: every finite double reads back bit for bit, in both notations",
          "[codec][numbers]") {
  const std::uint64_t seed = 20261201;
  std::mt19937_64 rng(seed);
  INFO("seed " << seed);
  int checked = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::uint64_t bits = rng();
    double d = 0;
    std::memcpy(&d, &bits, sizeof d);
    if (!std::isfinite(d)) continue;
    ++checked;
    const std::string text = to_json_text(json::value(d));
    const auto back = parse_ok(text).to_number<double>();
    INFO(text);
    // -0 is written as 0 (see the writer rule); every other double keeps all its bits.
    if (d == 0) {
      CHECK(back == 0);
    } else {
      CHECK(std::memcmp(&back, &d, sizeof d) == 0);
    }
    const auto pos = positional(d);
    CHECK(parse_ok(pos).to_number<double>() == d);
  }
  CHECK(checked > 19000);
  for (double d : {std::numeric_limits<double>::max(), std::numeric_limits<double>::denorm_min(),
                   std::numeric_limits<double>::min(), -std::numeric_limits<double>::max()})
    CHECK(parse_ok(positional(d)).to_number<double>() == d);
}

TEST_CASE("json numbers: the extremes", "[codec][numbers]") {
  // Beyond the double range: infinity, refused by find_unstorable with its location.
  CHECK(std::isinf(parse_ok("1e309").as_double()));
  CHECK(parse_ok("-1e309").as_double() < 0);
  // Below the smallest double: 0 (as every IEEE reader, e.g. JavaScript's JSON.parse).
  CHECK(parse_ok("1e-400").as_double() == 0);
  // Integers within int64/uint64 stay exact; beyond them, the nearest double.
  CHECK(parse_ok("18446744073709551615").as_uint64() == 18446744073709551615ull);
  CHECK(parse_ok("-9223372036854775808").as_int64() == INT64_MIN);
  CHECK(parse_ok("18446744073709551616").as_double() == 18446744073709551616.0);
  // Long exponents and mantissas.
  CHECK(parse_ok("1e-0000000000000000000000000000001").as_double() == 0.1);
  CHECK(parse_ok("0.00000000000000000000000000000000000000000000000001e50").as_double() == 1.0);
  boost::system::error_code ec;
  parse_json("1e99999999999999999999999", ec);  // Boost refuses an exponent beyond int range
  CHECK(ec);
  // One document, nothing after it but whitespace.
  for (const char* bad : {"{} x", "1 2", "{\"a\":1}{", "", "tru", "[1,]"}) {
    parse_json(bad, ec);
    INFO(bad);
    CHECK(ec);
  }
  for (const char* good : {" {} \r\n", "[1] ", "123", "\t\"s\""}) {
    parse_json(good, ec);
    INFO(good);
    CHECK_FALSE(ec);
  }

  // The writer: integral doubles in the int64/uint64 range as integers; -0 is 0.
  CHECK(to_json_text(json::value(-0.0)) == "0");
  CHECK(to_json_text(json::value(1e18)) == "1000000000000000000");
  CHECK(to_json_text(json::value(9223372036854775808.0)) == "9223372036854775808");
  CHECK(to_json_text(json::value(18446744073709551616.0)) == "18446744073709551616");
  CHECK(to_json_text(json::value(1e20)) == "1e+20");
  CHECK(to_json_text(json::value(2.5)) == "2.5");
  CHECK(to_json_text(json::value(std::numeric_limits<double>::infinity())) == "null");
}

TEST_CASE("json numbers: nesting limit of a request body", "[codec][numbers]") {
  auto nested = [](std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  boost::system::error_code ec;
  parse_json(nested(kMaxJsonDepth), ec);
  CHECK_FALSE(ec);
  parse_json(nested(kMaxJsonDepth + 1), ec);
  CHECK(ec);
  // Stored values may nest deeper (a result wraps a response body), up to kMaxStoredJsonDepth.
  auto deep = parse_json(nested(kMaxJsonDepth + 1), ec, kMaxStoredJsonDepth);
  CHECK_FALSE(ec);
  CHECK_FALSE(find_unstorable(deep, {"result"}));
  auto too_deep = parse_json(nested(kMaxStoredJsonDepth + 1), ec, kMaxStoredJsonDepth + 1);
  REQUIRE_FALSE(ec);
  auto bad = find_unstorable(too_deep, {"result"});
  REQUIRE(bad);
  CHECK(bad->type == "json_too_deep");
}

TEST_CASE("json numbers: find_unstorable names the location", "[codec][numbers]") {
  auto v = parse_ok(R"({"config":{"ok":1},"metadata":{"a":{"b":[0,1,-1e-400,1e309]}}})");
  auto bad = find_unstorable(v, {"body"});
  REQUIRE(bad);
  CHECK(bad->path == "metadata.a.b[3]");
  CHECK(bad->loc == std::vector<std::string>{"body", "metadata", "a", "b", "3"});
  CHECK(bad->type == "finite_number");
  CHECK(bad->message == "number beyond the range of a double at metadata.a.b[3]");
  CHECK_FALSE(find_unstorable(parse_ok(R"({"x":1.7976931348623157e308,"y":-0.0})"), {"body"}));
}

TEST_CASE("json numbers: stored text with the old Infinity tokens reads as null",
          "[codec][numbers]") {
  const auto fixed =
      replace_non_finite_tokens(R"({"a":Infinity,"b":"x:Infinity \"NaN","c":[-Infinity,NaN,1]})");
  REQUIRE(fixed);
  CHECK(*fixed == R"({"a":null,"b":"x:Infinity \"NaN","c":[null,null,1]})");
  CHECK_FALSE(replace_non_finite_tokens(R"({"name":"Infinity and NaN"})"));
  bool repaired = false;
  boost::system::error_code ec;
  auto v = parse_stored_json(R"({"temperature":Infinity})", ec, &repaired);
  CHECK_FALSE(ec);
  CHECK(repaired);
  CHECK(v.at("temperature").is_null());
  // A number beyond the double range (hand-written jsonb) also reads as null.
  v = parse_stored_json(R"({"t":1e400})", ec, &repaired);
  CHECK(repaired);
  CHECK(v.at("t").is_null());
  parse_stored_json(R"({"t":Infinity)", ec, &repaired);  // broken beyond the tokens
  CHECK(ec);
}

TEST_CASE("json numbers: a request with an overflowing number is a 422 at its location",
          "[codec][numbers][requests]") {
  Fixture f;
  auto errors = validation_errors(
      [&] { f.create(f.alice, R"({"name":"p","task_type":"todo","config":{"x":1e309}})"); });
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].loc == std::vector<std::string>{"body", "config", "x"});
  CHECK(errors[0].type == "finite_number");
  CHECK(errors[0].msg ==
        "Input should be a finite number: number beyond the range of a double at config.x");

  errors = validation_errors([&] {
    f.create(f.alice, R"({"name":"p","task_type":"todo","metadata":{"a":{"b":[1,2,-1e999]}}})");
  });
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].loc == std::vector<std::string>{"body", "metadata", "a", "b", "2"});

  const auto t = f.create(f.alice, R"({"name":"p","task_type":"todo","metadata":{"n":1e308}})");
  errors = validation_errors(
      [&] { f.service.update_task(f.alice, t.task_id, J(R"({"metadata":{"n":1e309}})")); });
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].loc == std::vector<std::string>{"body", "metadata", "n"});
  errors = validation_errors([&] { parse_execute_request(J(R"({"trigger_data":{"v":1e309}})")); });
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].loc == std::vector<std::string>{"body", "trigger_data", "v"});
  // Nothing was stored by the refused requests.
  TaskQuery alice;
  alice.user_id = "alice";
  CHECK(f.repo->list_tasks(alice).total == 1);
  CHECK(std::isfinite(f.repo->find_task(t.task_id)->metadata.at("n").as_double()));
}

TEST_CASE("json numbers: a result no store can hold fails the run, the task keeps its last result",
          "[codec][numbers][execute]") {
  Fixture f;
  const auto t = f.create(f.alice, R"({"name":"w","task_type":"todo"})");
  f.executor->behaviour = [](const RunContext&) {
    return RunOutcome::ok(json::object{{"temperature", 21.5}});
  };
  f.service.execute(f.alice, t.task_id);
  f.executor->behaviour = [](const RunContext&) {
    return RunOutcome::ok(json::object{{"temperature", std::numeric_limits<double>::infinity()}},
                          1);
  };
  const auto run = f.service.execute(f.alice, t.task_id);
  CHECK(run.execution.status == ExecutionStatus::failed);
  CHECK(run.execution.error_message ==
        "result not storable: number beyond the range of a double at result.temperature");
  CHECK(run.execution.error_details.at("error_code") == "RESULT_NOT_STORABLE");
  CHECK(run.execution.error_details.at("location") == "result.temperature");
  CHECK(run.execution.result.is_null());
  CHECK(run.execution.api_calls_made == 1);
  const auto stored = *f.repo->find_task(t.task_id);
  CHECK(stored.last_result.at("temperature").as_double() == 21.5);
  CHECK(stored.failure_count == 1);
  CHECK(stored.last_error == run.execution.error_message);
  // Failure details that cannot be stored are replaced; the failure itself is kept.
  f.executor->behaviour = [](const RunContext&) {
    return RunOutcome::fail("bad answer", "PROVIDER_BAD_RESPONSE",
                            {{"body", json::object{{"t", std::nan("")}}}});
  };
  const auto failed = f.service.execute(f.alice, t.task_id);
  CHECK(failed.execution.error_message == "bad answer");
  CHECK(failed.execution.error_details.at("error_code") == "PROVIDER_BAD_RESPONSE");
  CHECK(failed.execution.error_details.at("location") == "error_details.body.t");
}

TEST_CASE("json numbers: credits are bounded at input and totals saturate", "[codec][numbers]") {
  Fixture f;
  auto errors = validation_errors([&] {
    f.create(f.alice, R"({"name":"c","task_type":"todo","credits_per_run":1000000001})");
  });
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].loc == std::vector<std::string>{"body", "credits_per_run"});
  CHECK(errors[0].type == "less_than_equal");
  f.create(f.alice, R"({"name":"c","task_type":"todo","credits_per_run":1000000000})");

  const double max = std::numeric_limits<double>::max();
  CHECK(saturating_add(max, max) == max);
  CHECK(saturating_add(1, 2) == 3);
  CHECK(saturating_add(0, std::numeric_limits<double>::infinity()) == max);
  // A total beyond the double range (rows of an earlier release) is the largest double, which
  // JSON can carry, never infinity (written as null).
  ExecutionTotals totals;
  totals.total = 2;
  totals.credits = std::numeric_limits<double>::infinity();
  const auto a = compute_analytics("u", 7, TaskCounts{}, totals, std::nullopt,
                                   test::T("2026-11-26T10:00:00Z"));
  CHECK(a.total_credits_consumed == max);
  const auto text = to_json_text(json::value_from(a));
  CHECK(text.find("\"total_credits_consumed\":1.7976931348623157e+308") != std::string::npos);

  // The memory store's sum saturates as well.
  Task stored = f.create(f.alice, R"({"name":"big","task_type":"todo"})");
  for (int i = 0; i < 2; ++i) {
    Execution x;
    x.execution_id = "exe_big" + std::to_string(i);
    x.task_id = stored.task_id;
    x.user_id = "alice";
    x.status = ExecutionStatus::completed;
    x.credits_consumed = max;
    x.started_at = f.clock->now();
    x.created_at = f.clock->now();
    f.repo->modify_task(stored.task_id, [&](const Task&) {
      Change c;
      c.executions.push_back(x);
      return std::optional<Change>(c);
    });
  }
  CHECK(f.repo->execution_totals("alice", f.clock->now() - std::chrono::hours(1)).credits == max);
}
