#pragma once
/// The OutboxStore role: events that committed changes stored (TaskStore, SchedulerStore), read
/// in commit order by the outbox relay, marked published and pruned. TaskService and
/// task-server's /metrics read the backlog.
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
