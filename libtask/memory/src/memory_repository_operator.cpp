// The operator's and the dashboard's reads of MemoryRepository (the semantics of
// task/ports/repository.hpp): runs in flight across all users, executions by quarter hour.
#include <algorithm>
#include <map>

#include "memory_quarters.hpp"
#include "task/codec/json_numbers.hpp"
#include "task/memory/memory_repository.hpp"

namespace task::memory {

std::vector<TaskRepository::RunInFlight> MemoryRepository::list_runs_in_flight(int limit) {
  std::lock_guard lock(mu_);
  const auto n = static_cast<std::size_t>(std::clamp(limit, 0, 1000));
  std::vector<const Task*> running;
  for (const auto& [id, t] : tasks_)
    if (t.status == TaskStatus::running && !t.deleted_at) running.push_back(&t);
  std::sort(running.begin(), running.end(),
            [](const Task* a, const Task* b) { return a->id < b->id; });
  if (running.size() > n) running.resize(n);
  // The running execution of each (lowest row id when, against the rules, there are two).
  std::map<std::string, const Execution*, std::less<>> current;
  for (const auto& [id, e] : executions_) {
    if (e.status != ExecutionStatus::running) continue;
    auto& slot = current[e.task_id];
    if (!slot || e.id < slot->id) slot = &e;
  }
  std::vector<RunInFlight> out;
  for (const Task* t : running) {
    RunInFlight r{t->task_id,          t->user_id,   t->name,      t->task_type, t->lease_owner,
                  t->lease_expires_at, std::nullopt, std::nullopt, std::nullopt, std::nullopt};
    if (auto it = current.find(t->task_id); it != current.end()) {
      r.execution_id = it->second->execution_id;
      r.trigger = it->second->trigger_type;
      r.scheduled_for = it->second->scheduled_for;
      r.started_at = it->second->started_at;
    }
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<TaskRepository::QuarterTotals> MemoryRepository::execution_quarters(
    std::string_view user_id, Timestamp since) {
  std::lock_guard lock(mu_);
  std::map<std::int64_t, QuarterTotals> quarters;
  for (const auto& [id, e] : executions_) {
    if (e.started_at < since || e.user_id != user_id) continue;
    const auto q = detail::quarter_of(e.started_at);
    auto& x = quarters[q];
    x.quarter = q;
    ++x.total;
    if (e.status == ExecutionStatus::completed) ++x.successful;
    if (e.status == ExecutionStatus::failed) ++x.failed;
    x.credits = saturating_add(x.credits, e.credits_consumed);
  }
  // Pruned executions, as in execution_totals (memory_repository_stats.cpp).
  const auto first = detail::quarter_of(since);
  const bool edge = detail::on_quarter_edge(since);
  for (const auto& [key, p] : pruned_) {
    if (key.first != user_id || key.second < first || (key.second == first && !edge)) continue;
    auto& x = quarters[key.second];
    x.quarter = key.second;
    x.total += p.total;
    x.successful += p.successful;
    x.failed += p.failed;
    x.credits = saturating_add(x.credits, p.credits);
  }
  std::vector<QuarterTotals> out;
  out.reserve(quarters.size());
  for (auto& [q, x] : quarters)
    out.push_back(x);
  return out;
}

}  // namespace task::memory
