#include "field_errors.hpp"

#include "task/core/time_bounds.hpp"

#include <cmath>

#include "task/codec/json_numbers.hpp"

namespace task::detail {

std::string trim(std::string_view s) {
  const auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  std::size_t b = 0, e = s.size();
  while (b < e && is_space(s[b]))
    ++b;
  while (e > b && is_space(s[e - 1]))
    --e;
  return std::string(s.substr(b, e - b));
}

std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

std::optional<std::string> read_string(const boost::json::value& v, const Loc& loc, Errors& errs) {
  if (const auto* s = v.if_string()) return std::string(*s);
  errs.add(loc, "Input should be a valid string", "string_type");
  return std::nullopt;
}

std::optional<double> read_number(const boost::json::value& v, const Loc& loc, Errors& errs) {
  if (!v.is_number()) {
    errs.add(loc, "Input should be a valid number", "float_type");
    return std::nullopt;
  }
  const double d = v.to_number<double>();
  if (!std::isfinite(d)) {
    errs.add(loc, "Input should be a finite number", "finite_number");
    return std::nullopt;
  }
  return d;
}

std::optional<boost::json::object> read_object(const boost::json::value& v, const Loc& loc,
                                               Errors& errs) {
  if (const auto* o = v.if_object()) {
    // What is accepted must store and read back as it is (docs/api.md "Numbers in JSON").
    if (auto bad = find_unstorable(v, loc, kMaxJsonDepth)) {
      errs.add(bad->loc, validation_message(*bad), bad->type);
      return std::nullopt;
    }
    return *o;
  }
  errs.add(loc, "Input should be a valid dictionary", "dict_type");
  return std::nullopt;
}

std::optional<Timestamp> read_timestamp(const boost::json::value& v, const Loc& loc, Errors& errs) {
  auto s = read_string(v, loc, errs);
  if (!s) return std::nullopt;
  if (auto t = parse_rfc3339(*s)) return t;
  if (rfc3339_out_of_range(*s))
    errs.add(loc, "Datetime should have a year between 0001 and 9999 (UTC)", "datetime_range");
  else
    errs.add(loc, "Input should be a valid RFC 3339 datetime", "datetime_parsing");
  return std::nullopt;
}

}  // namespace task::detail
