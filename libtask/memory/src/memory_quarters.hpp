#pragma once
// UTC quarter hours of the in-memory repository's analytics (the C++ twin of the SQL backends'
// kQuarterHourOfStart): floor(unix_seconds / 900), also before 1970.
#include <cstdint>

#include "task/core/time.hpp"

namespace task::memory::detail {

inline std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

/// The UTC quarter hour `t` falls in.
inline std::int64_t quarter_of(Timestamp t) {
  return floor_div(to_unix_micros(t), 900'000'000);
}

/// Whether `t` is the first microsecond of its quarter hour.
inline bool on_quarter_edge(Timestamp t) {
  return to_unix_micros(t) - quarter_of(t) * 900'000'000 == 0;
}

}  // namespace task::memory::detail
