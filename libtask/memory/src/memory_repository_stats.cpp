// The in-memory repository: task counts and execution totals (StatsStore).
#include "memory_quarters.hpp"
#include "task/codec/json_numbers.hpp"
#include "task/memory/memory_repository.hpp"

namespace task::memory {

TaskCounts MemoryRepository::count_tasks_by(std::optional<std::string_view> user_id) {
  std::lock_guard lock(mu_);
  TaskCounts c;
  for (const auto& [id, t] : tasks_) {
    if (t.deleted_at || (user_id && t.user_id != *user_id)) continue;
    ++c.by_status[t.status];
    ++c.by_type[t.task_type];
  }
  return c;
}

ExecutionTotals MemoryRepository::execution_totals(std::optional<std::string_view> user_id,
                                                   Timestamp since) {
  std::lock_guard lock(mu_);
  ExecutionTotals x;
  std::map<std::int64_t, std::int64_t> quarters;
  double duration_sum = 0;
  std::int64_t with_duration = 0;
  for (const auto& [id, e] : executions_) {
    if (e.started_at < since || (user_id && e.user_id != *user_id)) continue;
    ++x.total;
    if (e.status == ExecutionStatus::completed) ++x.successful;
    if (e.status == ExecutionStatus::failed) ++x.failed;
    if (e.duration_ms) {
      duration_sum += static_cast<double>(*e.duration_ms);
      ++with_duration;
    }
    x.credits = saturating_add(x.credits, e.credits_consumed);
    x.tokens += e.tokens_used.value_or(0);
    x.api_calls += e.api_calls_made;
    ++quarters[detail::quarter_of(e.started_at)];
  }
  // Pruned executions (memory_repository_retention.cpp): whole quarter hours after the one
  // `since` falls in, and that one too when `since` is its first microsecond.
  const auto first = detail::quarter_of(since);
  const bool edge = detail::on_quarter_edge(since);
  for (const auto& [key, q] : pruned_) {
    if ((user_id && key.first != *user_id) || key.second < first || (key.second == first && !edge))
      continue;
    x.total += q.total;
    x.successful += q.successful;
    x.failed += q.failed;
    duration_sum += static_cast<double>(q.duration_sum);
    with_duration += q.duration_count;
    x.credits = saturating_add(x.credits, q.credits);
    x.tokens += q.tokens;
    x.api_calls += q.api_calls;
    quarters[key.second] += q.total;
  }
  x.average_duration_ms = with_duration ? duration_sum / static_cast<double>(with_duration) : 0;
  x.by_quarter_hour.assign(quarters.begin(), quarters.end());
  return x;
}

}  // namespace task::memory
