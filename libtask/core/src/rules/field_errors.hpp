#pragma once
// Private helpers of the request rules: an error collector and typed readers of JSON fields.
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "task/core/enums.hpp"
#include "task/core/errors.hpp"
#include "task/core/time.hpp"

namespace task::detail {

using Loc = std::vector<std::string>;

/// `loc` with one more segment.
inline Loc at(const Loc& loc, std::string_view key) {
  Loc out = loc;
  out.emplace_back(key);
  return out;
}

/// Collects field errors; throws them together.
struct Errors {
  std::vector<FieldError> list;
  void add(Loc loc, std::string msg, std::string type = "value_error") {
    list.push_back({std::move(loc), std::move(msg), std::move(type)});
  }
  void add_all(const std::vector<FieldError>& more) {
    list.insert(list.end(), more.begin(), more.end());
  }
  bool empty() const { return list.empty(); }
  void throw_if_any() const {
    if (!list.empty()) throw ValidationError(list);
  }
};

/// Trims ASCII whitespace at both ends.
std::string trim(std::string_view s);

/// Number of Unicode code points in UTF-8 text (invalid bytes count one each).
std::size_t utf8_length(std::string_view s);

/// A string, else a `string_type` error.
std::optional<std::string> read_string(const boost::json::value& v, const Loc& loc, Errors& errs);

/// A finite number (not a bool), else a `float_type`/`value_error` error.
std::optional<double> read_number(const boost::json::value& v, const Loc& loc, Errors& errs);

/// An object, else a `dict_type` error.
std::optional<boost::json::object> read_object(const boost::json::value& v, const Loc& loc,
                                               Errors& errs);

/// An RFC 3339 timestamp string, else `string_type` / `datetime_parsing`.
std::optional<Timestamp> read_timestamp(const boost::json::value& v, const Loc& loc, Errors& errs);

/// One of an enum's wire names, else `string_type` / `enum` (message lists the names).
template <class E>
std::optional<E> read_enum(const boost::json::value& v, const Loc& loc, Errors& errs) {
  auto s = read_string(v, loc, errs);
  if (!s) return std::nullopt;
  if (auto e = parse_enum<E>(*s)) return e;
  std::string msg = "Input should be ";
  const auto& names = EnumNames<E>::names;
  for (std::size_t i = 0; i < names.size(); ++i) {
    msg += (i ? (i + 1 == names.size() ? " or '" : ", '") : "'");
    msg += names[i];
    msg += "'";
  }
  errs.add(loc, msg, "enum");
  return std::nullopt;
}

/// The message of an enum error for a query parameter or body value.
template <class E>
std::optional<E> read_enum_text(std::string_view s, const Loc& loc, Errors& errs) {
  return read_enum<E>(boost::json::value(boost::json::string_view(s.data(), s.size())), loc, errs);
}

}  // namespace task::detail

namespace task::detail {

/// Per-type config check with defaults filled in (see task::validate_config).
boost::json::object check_config(TaskType type, boost::json::object c, const std::string& name,
                                 std::optional<Timestamp> due, const Loc& loc, Errors& errs);
/// Name check (see task::validate_name); nullopt after recording an error.
std::optional<std::string> check_name(const boost::json::value& v, const Loc& loc, Errors& errs);
/// Tags check (see task::validate_tags); nullopt after recording an error.
std::optional<std::vector<std::string>> check_tags(const boost::json::value& v, const Loc& loc,
                                                   Errors& errs);

}  // namespace task::detail
