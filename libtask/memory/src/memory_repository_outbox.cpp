// The in-memory repository: the outbox (OutboxStore).
#include <algorithm>

#include "task/memory/memory_repository.hpp"

namespace task::memory {

std::vector<OutboxEntry> MemoryRepository::fetch_outbox(int limit) {
  std::lock_guard lock(mu_);
  std::vector<OutboxEntry> out;
  for (const auto& row : outbox_) {
    if (static_cast<int>(out.size()) >= limit) break;
    if (!row.published_at) out.push_back(row.entry);
  }
  return out;
}

void MemoryRepository::mark_published(const std::vector<std::int64_t>& seqs, Timestamp now) {
  std::lock_guard lock(mu_);
  for (auto& row : outbox_)
    if (!row.published_at && std::find(seqs.begin(), seqs.end(), row.entry.seq) != seqs.end())
      row.published_at = now;
}

std::int64_t MemoryRepository::prune_outbox(Timestamp before) {
  std::lock_guard lock(mu_);
  const auto old_size = outbox_.size();
  outbox_.erase(std::remove_if(
                    outbox_.begin(), outbox_.end(),
                    [&](const OutboxRow& r) { return r.published_at && *r.published_at < before; }),
                outbox_.end());
  return static_cast<std::int64_t>(old_size - outbox_.size());
}

std::pair<std::int64_t, std::optional<Timestamp>> MemoryRepository::outbox_backlog() {
  std::lock_guard lock(mu_);
  std::int64_t n = 0;
  std::optional<Timestamp> oldest;
  for (const auto& row : outbox_) {
    if (row.published_at) continue;
    ++n;
    if (!oldest || row.entry.event.time < *oldest) oldest = row.entry.event.time;
  }
  return {n, oldest};
}

}  // namespace task::memory
