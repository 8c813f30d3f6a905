#pragma once
/// The OutboxStore role: events that committed changes stored (TaskStore, SchedulerStore), read
/// in commit order by the outbox relay, marked published and pruned. TaskService and
/// task-server's /metrics read the backlog.
///
/// Ownership: the storage object is shared (std::shared_ptr) by the service, the scheduler and
/// the event relay; every result is a copy the caller owns (no reference into storage escapes a
/// call); string_view and reference arguments are read during the call only.
/// Thread-safety: every method may be called from any number of threads at once (task::memory:
/// one mutex, so a callback must not call back into the repository; task::store: a pooled
/// connection per call).
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "task/domain/model.hpp"

namespace task {

/// An event waiting in the outbox, with its position (ascending = commit order).
struct OutboxEntry {
  std::int64_t seq = 0;
  Event event;
};

/// The outbox.
class OutboxStore {
 public:
  virtual ~OutboxStore() = default;
  /// Unpublished outbox entries in commit order, at most `limit`.
  virtual std::vector<OutboxEntry> fetch_outbox(int limit) = 0;
  /// Marks entries published (at `now`).
  virtual void mark_published(const std::vector<std::int64_t>& seqs, Timestamp now) = 0;
  /// Deletes published entries older than `before`; returns how many.
  virtual std::int64_t prune_outbox(Timestamp before) = 0;
  /// Number of unpublished entries and the time of the oldest one.
  virtual std::pair<std::int64_t, std::optional<Timestamp>> outbox_backlog() = 0;
};

}  // namespace task
