// Timestamps in test data. Header-only (tests/support).
#pragma once

#include <stdexcept>
#include <string>

#include "task/core/time.hpp"

namespace task::testing {

/// An instant from an RFC 3339 literal of the test; throws std::invalid_argument when the
/// literal itself is wrong (a typo in a test, not the code under test).
inline Timestamp at(const char* text) {
  const auto t = parse_rfc3339(text);
  if (!t) throw std::invalid_argument(std::string("not an RFC 3339 timestamp: ") + text);
  return *t;
}

}  // namespace task::testing
