// The in-memory repository: Idempotency-Key records (IdempotencyStore).
#include "memory_lookup.hpp"
#include "task/memory/memory_repository.hpp"

namespace task::memory {

IdempotencyBegin MemoryRepository::begin_idempotent(const IdempotencyRecord& candidate,
                                                    Timestamp now) {
  std::lock_guard lock(mu_);
  auto [it, inserted] = idempotency_.try_emplace({candidate.user_id, candidate.key}, candidate);
  if (!inserted && it->second.expires_at <= now) {
    it->second = candidate;  // expired: as if absent
    inserted = true;
  }
  if (inserted) return {IdempotencyClaim::claimed, it->second};
  const auto& live = it->second;
  if (live.request_hash != candidate.request_hash) return {IdempotencyClaim::mismatch, live};
  return {live.completed ? IdempotencyClaim::completed : IdempotencyClaim::in_progress, live};
}

bool MemoryRepository::complete_idempotent(std::string_view user_id, std::string_view key,
                                           std::string_view owner, int status,
                                           const std::string& body, const std::string& headers,
                                           Timestamp expires_at) {
  std::lock_guard lock(mu_);
  const auto it = idempotency_.find({std::string(user_id), std::string(key)});
  if (it == idempotency_.end() || it->second.owner != owner) return false;
  auto& r = it->second;
  if (r.completed) return true;  // a repeated call of the owner
  r.completed = true;
  r.status = status;
  r.body = body;
  r.headers = headers;
  r.expires_at = expires_at;
  return true;
}

void MemoryRepository::release_idempotent(std::string_view user_id, std::string_view key,
                                          std::string_view owner) {
  std::lock_guard lock(mu_);
  const auto it = idempotency_.find({std::string(user_id), std::string(key)});
  if (it != idempotency_.end() && it->second.owner == owner && !it->second.completed)
    idempotency_.erase(it);
}

std::int64_t MemoryRepository::prune_idempotency(Timestamp now, int limit) {
  std::lock_guard lock(mu_);
  std::int64_t n = 0;
  for (auto it = idempotency_.begin(); it != idempotency_.end() && n < limit;) {
    if (it->second.expires_at <= now) {
      it = idempotency_.erase(it);
      ++n;
    } else {
      ++it;
    }
  }
  return n;
}

std::optional<IdempotencyRecord> MemoryRepository::find_idempotency(std::string_view user_id,
                                                                    std::string_view key) {
  return copy_of(mu_, idempotency_, std::pair{std::string(user_id), std::string(key)});
}

}  // namespace task::memory
