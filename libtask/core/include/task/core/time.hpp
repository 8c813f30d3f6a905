#pragma once
/// Time inside the program: UTC microseconds. Text (RFC 3339) only at the edges.
///
/// Ownership: arguments are read during the call and never kept; results are values the caller
/// owns. Thread-safety: pure functions without shared state; safe from any number of threads.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace task {

/// A point in time, UTC, microsecond precision.
using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;
using Micros = std::chrono::microseconds;

/// Formats as RFC 3339 in UTC with a `Z`: `2026-11-26T22:09:29Z`, or with `.ffffff` when the
/// microseconds are not zero.
std::string format_rfc3339(Timestamp t);

/// Parses RFC 3339 / ISO 8601 date-times: `2026-11-26T22:09:29Z`, `...+01:00`, fractions up to
/// 9 digits (truncated to microseconds), a space instead of `T`, and no offset (read as UTC).
/// A bare date `2026-12-01` is read as midnight UTC. Returns nullopt for anything else, including
/// impossible dates such as 2026-02-30 or hour 24.
std::optional<Timestamp> parse_rfc3339(std::string_view text);

/// Whole seconds since the Unix epoch (for logs and SQL).
inline std::int64_t to_unix_micros(Timestamp t) {
  return t.time_since_epoch().count();
}
inline Timestamp from_unix_micros(std::int64_t us) {
  return Timestamp{Micros{us}};
}

}  // namespace task
