#pragma once
/// The injectable clock. Production uses SystemClock; tests use ManualClock.
///
/// Ownership: shared through std::shared_ptr by everything that reads time.
/// Thread-safety: now() may be called from any number of threads at once; a manual test clock
/// must be set only while no other thread reads it (or be atomic).
#include <atomic>
#include <chrono>

#include "task/core/time.hpp"

namespace task {

/// Source of "now".
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp now() const = 0;
};

/// The system's real-time clock.
class SystemClock final : public Clock {
 public:
  Timestamp now() const override {
    return std::chrono::time_point_cast<Micros>(std::chrono::system_clock::now());
  }
};

/// A clock that only moves when told to; thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Timestamp start) : now_(to_unix_micros(start)) {}
  Timestamp now() const override { return from_unix_micros(now_.load()); }
  void set(Timestamp t) { now_.store(to_unix_micros(t)); }
  void advance(Micros d) { now_.fetch_add(d.count()); }

 private:
  std::atomic<std::int64_t> now_;
};

}  // namespace task
