#pragma once
/// The instants the service accepts and produces: years 0001 to 9999, the range RFC 3339 can
/// write (four-digit years). parse_rfc3339 refuses text outside it (also when a zone offset or a
/// schedule's time zone moves a wall-clock time across the edge), and no computed instant leaves
/// it: a schedule whose next slot would fall after kLatestTimestamp has no next slot (it ends,
/// like a schedule past its end_at). docs/api.md "Timestamps".
///
/// Ownership: arguments are read during the call and never kept; results are values the caller
/// owns. Thread-safety: pure functions without shared state; safe from any number of threads.
#include <string_view>

#include "task/core/time.hpp"

namespace task {

/// 0001-01-01T00:00:00Z.
inline constexpr Timestamp kEarliestTimestamp{Micros{-62'135'596'800'000'000}};
/// 9999-12-31T23:59:59.999999Z.
inline constexpr Timestamp kLatestTimestamp{Micros{253'402'300'799'999'999}};

/// True when `t` lies in [kEarliestTimestamp, kLatestTimestamp].
constexpr bool within_timestamp_range(Timestamp t) {
  return t >= kEarliestTimestamp && t <= kLatestTimestamp;
}

/// True when `text` is well-formed RFC 3339 but names an instant outside the range (for the
/// error message: parse_rfc3339 returns nullopt for both).
bool rfc3339_out_of_range(std::string_view text);

}  // namespace task
