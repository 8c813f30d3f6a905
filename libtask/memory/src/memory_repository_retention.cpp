// The in-memory repository: execution retention (RetentionStore). Pruned executions leave their
// sums in pruned_ by (user, UTC quarter hour), which execution_totals and execution_quarters add
// back, as the SQL backends' rollup does.
#include <algorithm>
#include <vector>

#include "memory_quarters.hpp"
#include "task/codec/json_numbers.hpp"
#include "task/memory/memory_repository.hpp"

namespace task::memory {

std::int64_t MemoryRepository::prune_executions(Timestamp cutoff, int limit) {
  limit = std::clamp(limit, 1, kMaxPruneBatch);
  std::lock_guard lock(mu_);
  // Oldest first, as the SQL backends' range of idx_executions_started.
  std::vector<std::pair<Timestamp, std::string>> old;
  for (const auto& [id, e] : executions_)
    if (e.started_at < cutoff && e.status != ExecutionStatus::running)
      old.emplace_back(e.started_at, id);
  std::sort(old.begin(), old.end());
  if (old.size() > static_cast<std::size_t>(limit)) old.resize(static_cast<std::size_t>(limit));
  for (const auto& [started, id] : old) {
    const auto it = executions_.find(id);
    const Execution& e = it->second;
    auto& q = pruned_[{e.user_id, detail::quarter_of(e.started_at)}];
    ++q.total;
    if (e.status == ExecutionStatus::completed) ++q.successful;
    if (e.status == ExecutionStatus::failed) ++q.failed;
    if (e.duration_ms) {
      q.duration_sum += *e.duration_ms;
      ++q.duration_count;
    }
    q.credits = saturating_add(q.credits, e.credits_consumed);
    q.tokens += e.tokens_used.value_or(0);
    q.api_calls += e.api_calls_made;
    executions_.erase(it);
  }
  return static_cast<std::int64_t>(old.size());
}

}  // namespace task::memory
