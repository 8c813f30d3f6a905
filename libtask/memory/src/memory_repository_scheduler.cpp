// The in-memory repository: due tasks, claims, lost runs and reminders (SchedulerStore).
#include <algorithm>
#include <map>

#include "task/memory/memory_repository.hpp"
#include "task/rules/fair_turns.hpp"

namespace task::memory {
namespace {

bool is_due(const Task& t, Timestamp now) {
  return !t.deleted_at && t.status == TaskStatus::scheduled && t.next_run_time &&
         *t.next_run_time <= now;
}

}  // namespace

std::vector<Task> MemoryRepository::due_tasks_locked(Timestamp now) const {
  std::vector<Task> out;
  for (const auto& [id, t] : tasks_)
    if (is_due(t, now)) out.push_back(t);
  std::sort(out.begin(), out.end(), [](const Task& a, const Task& b) {
    if (a.priority != b.priority) return priority_rank(a.priority) > priority_rank(b.priority);
    if (a.next_run_time != b.next_run_time) return *a.next_run_time < *b.next_run_time;
    return a.id < b.id;
  });
  return out;
}

std::vector<Task> MemoryRepository::list_due_tasks(Timestamp now, int limit) {
  std::lock_guard lock(mu_);
  auto out = due_tasks_locked(now);
  if (out.size() > static_cast<std::size_t>(std::max(limit, 0)))
    out.resize(static_cast<std::size_t>(std::max(limit, 0)));
  return out;
}

void MemoryRepository::claim_lost_locked(Timestamp now, int limit, std::string_view owner,
                                         std::chrono::microseconds lease, std::vector<Task>& out) {
  std::vector<Task*> lost;
  for (auto& [id, t] : tasks_)
    if (!t.deleted_at && t.status == TaskStatus::running && t.lease_owner && t.lease_expires_at &&
        *t.lease_expires_at <= now)
      lost.push_back(&t);
  std::sort(lost.begin(), lost.end(), [](const Task* a, const Task* b) {
    if (a->lease_expires_at != b->lease_expires_at)
      return a->lease_expires_at < b->lease_expires_at;
    return a->id < b->id;
  });
  for (Task* t : lost) {
    if (static_cast<int>(out.size()) >= limit) break;
    t->lease_owner = std::string(owner);
    t->lease_expires_at = now + lease;
    out.push_back(*t);
  }
}

std::vector<Task> MemoryRepository::claim_lost_runs(Timestamp now, int limit,
                                                    std::string_view owner,
                                                    std::chrono::microseconds lease) {
  std::lock_guard lock(mu_);
  std::vector<Task> out;
  claim_lost_locked(now, limit, owner, lease, out);
  return out;
}

std::vector<std::pair<Task, std::optional<Change>>> MemoryRepository::modify_due_tasks(
    Timestamp now, int limit, const ClaimFairness& fairness,
    const std::function<std::optional<Change>(const Task&)>& fn) {
  std::lock_guard lock(mu_);
  std::vector<Task> due;
  for (auto& t : due_tasks_locked(now))
    if (!(t.lease_owner && t.lease_expires_at && *t.lease_expires_at > now))
      due.push_back(std::move(t));
  std::vector<const Task*> order;
  if (fairness.enabled) {
    // Runs in flight per user: running, lease unexpired (a dead worker's run is not counted).
    std::map<std::string, int, std::less<>> in_flight;
    for (const auto& [id, t] : tasks_)
      if (!t.deleted_at && t.status == TaskStatus::running && t.lease_expires_at &&
          *t.lease_expires_at > now)
        ++in_flight[t.user_id];
    std::vector<const Task*> all;
    for (const auto& t : due)
      all.push_back(&t);
    order = fair_turn_order(all, static_cast<std::size_t>(std::max(limit, 0)),
                            [&](std::string_view user) -> std::optional<int> {
                              const auto level = levels_.find(user);
                              const auto cap = fairness.limit_of(level != levels_.end()
                                                                     ? level->second.level
                                                                     : fairness.default_level);
                              if (!cap) return std::nullopt;
                              const auto busy = in_flight.find(user);
                              return *cap - (busy != in_flight.end() ? busy->second : 0);
                            });
  } else {
    for (const auto& t : due) {
      if (static_cast<int>(order.size()) >= limit) break;
      order.push_back(&t);
    }
  }
  std::vector<Task> picked;
  std::vector<std::string> ids;
  for (const Task* t : order) {
    ids.push_back(t->task_id);
    picked.push_back(*t);
  }
  auto written = modify_locked(ids, fn);
  std::vector<std::pair<Task, std::optional<Change>>> out;
  for (std::size_t i = 0; i < picked.size(); ++i)
    out.emplace_back(std::move(picked[i]), std::move(written[i]));
  return out;
}

std::optional<Timestamp> MemoryRepository::earliest_due_time() {
  std::lock_guard lock(mu_);
  std::optional<Timestamp> best;
  for (const auto& [id, t] : tasks_)
    if (!t.deleted_at && t.status == TaskStatus::scheduled && t.next_run_time &&
        (!best || *t.next_run_time < *best))
      best = t.next_run_time;
  return best;
}

std::vector<Task> MemoryRepository::list_due_reminders(Timestamp now, int limit) {
  std::lock_guard lock(mu_);
  std::vector<Task> out;
  for (const auto& [id, t] : tasks_)
    if (t.reminder_time && *t.reminder_time <= now && !t.reminder_sent_at && !t.is_completed &&
        !t.deleted_at && t.status != TaskStatus::cancelled)
      out.push_back(t);
  std::sort(out.begin(), out.end(), [](const Task& a, const Task& b) {
    if (a.reminder_time != b.reminder_time) return *a.reminder_time < *b.reminder_time;
    return a.id < b.id;
  });
  if (out.size() > static_cast<std::size_t>(std::max(limit, 0)))
    out.resize(static_cast<std::size_t>(std::max(limit, 0)));
  return out;
}

}  // namespace task::memory
