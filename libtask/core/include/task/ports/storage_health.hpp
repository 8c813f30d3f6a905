#pragma once
/// The StorageHealth role: is storage reachable, and how many stored rows could not be read.
/// task-server's /health and /metrics use it; the runtime sets the unreadable-row hook (a log
/// line per damaged row).
#include <cstdint>
#include <functional>

#include "task/core/errors.hpp"

namespace task {

/// Health of the storage.
class StorageHealth {
 public:
  virtual ~StorageHealth() = default;
  /// Cheap round trip to storage; throws Unavailable when it is down.
  virtual void ping() = 0;
  /// Rows that listings, claims and scheduler rounds skipped since the repository was opened
  /// because they could not be decoded (each skip counts; see task::Unreadable). Backends that
  /// never decode (memory) keep 0.
  virtual std::int64_t unreadable_rows() const { return 0; }
  /// Called once per skipped row, from the reading thread (e.g. to log the task id). Set it
  /// before the repository is shared between threads.
  virtual void set_unreadable_row_hook(std::function<void(const Unreadable&)> hook) { (void)hook; }
};

}  // namespace task
