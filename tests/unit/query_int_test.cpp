// task::query_int: the one reader of integer query parameters (days, limit, wait_ms).
#include <catch2/catch.hpp>

#include "task/core/errors.hpp"
#include "task/rules/query_int.hpp"

using task::query_int;

namespace {

/// The type of the one field error query_int throws for `text`.
std::string error_type(const std::string& text) {
  try {
    query_int(text, "days", 1, 365, 30);
  } catch (const task::ValidationError& e) {
    REQUIRE(e.errors.size() == 1);
    CHECK(e.errors[0].loc == std::vector<std::string>{"query", "days"});
    return e.errors[0].type;
  }
  return "";
}

}  // namespace

TEST_CASE("query_int: absent is the default, in-range integers pass", "[rules]") {
  CHECK(query_int(std::nullopt, "days", 1, 365, 30) == 30);
  CHECK(query_int("1", "days", 1, 365, 30) == 1);
  CHECK(query_int("365", "days", 1, 365, 30) == 365);
  CHECK(query_int("0", "wait_ms", 0, 60000, 30000) == 0);
}

TEST_CASE("query_int: text, spaces, signs, fractions and overflow are 422s", "[rules]") {
  for (const char* bad : {"", "x", "1.5", " 5", "5 ", "+5", "1e3", "0x10"})
    CHECK(error_type(bad) == "int_parsing");
  for (const char* out : {"0", "366", "-1", "99999999999999999999999"})
    CHECK(error_type(out) == "value_error");
}
