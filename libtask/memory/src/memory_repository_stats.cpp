// The in-memory repository: task counts and execution totals (StatsStore).
#include "task/codec/json_numbers.hpp"
#include "task/memory/memory_repository.hpp"

namespace task::memory {
namespace {

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

}  // namespace

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
    const auto secs = floor_div(to_unix_micros(e.started_at), 1'000'000);
    ++quarters[floor_div(secs, 900)];
  }
  x.average_duration_ms = with_duration ? duration_sum / static_cast<double>(with_duration) : 0;
  x.by_quarter_hour.assign(quarters.begin(), quarters.end());
  return x;
}

}  // namespace task::memory
