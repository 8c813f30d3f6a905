#pragma once
/// Shared helpers of the libFuzzer targets: property failures abort (libFuzzer then saves the
/// input as a crash artifact). The findings of issue 12 are fixed, so their properties abort like
/// any other; known problems outside them are counted instead unless TASK_FUZZ_STRICT=ON.
#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "task/core/time.hpp"

namespace task::fuzz {

/// The fuzz input as text.
inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// A broken property: prints `what` and `detail` and aborts.
[[noreturn]] void fail(std::string_view what, std::string_view detail = {});

/// Aborts when `cond` is false.
inline void check(bool cond, std::string_view what, std::string_view detail = {}) {
  if (!cond) fail(what, detail);
}

/// A property broken by finding `n` of issue 12 (fixed): aborts, naming the finding.
void known_finding(int n, std::string_view what);

/// The same for a known problem outside issue 12's findings, named by `id` (see the report in
/// docs/testing.md, "Known findings").
void known_issue(std::string_view id, std::string_view what);

/// JSON equality with numbers compared by value: `-0.0` equals `0`, `1e1` equals `10` (the API's
/// writer prints integral doubles as integers, so a number's kind may change, not its value).
bool same_json(const boost::json::value& a, const boost::json::value& b);

/// The request body parser of task-server (task::parse_json: exact numbers, depth <= 32);
/// nullopt for text that is not JSON.
std::optional<boost::json::value> parse_json(std::string_view text);

/// Any JSON text as Boost.JSON reads it (U+0000 and every string allowed): for checking that
/// an encoder wrote valid JSON, where parse_json's storability rules do not apply.
std::optional<boost::json::value> parse_any_json(std::string_view text);

/// True when `text` is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
bool valid_utf8(std::string_view text);

/// True when a number anywhere in `v` is infinite or NaN (finding 1: `1e309`).
bool has_non_finite(const boost::json::value& v);

/// True when `t` lies outside years 0001-9999, which RFC 3339 text cannot hold (finding 6).
bool outside_rfc3339_years(Timestamp t);
/// The same for an optional instant (false when absent).
inline bool outside_rfc3339_years(const std::optional<Timestamp>& t) {
  return t && outside_rfc3339_years(*t);
}

/// The fixed "now" of the targets: 2026-12-01T00:00:00Z.
Timestamp fixed_now();

}  // namespace task::fuzz
