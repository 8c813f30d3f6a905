// Bounded polling for tests: every wait has a deadline. Header-only (tests/support).
#pragma once

#include <chrono>
#include <thread>

namespace task::testing {

/// Polls `pred` every `every` until it holds or `timeout` passes; returns the last result.
template <class Pred>
bool wait_until(Pred&& pred, std::chrono::milliseconds timeout = std::chrono::seconds(20),
                std::chrono::milliseconds every = std::chrono::milliseconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return pred();
    std::this_thread::sleep_for(every);
  }
  return true;
}

}  // namespace task::testing
