// The in-memory repository: due tasks, claims, lost runs and reminders (SchedulerStore).
#include <algorithm>

#include "task/memory/memory_repository.hpp"

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
    Timestamp now, int limit, const std::function<std::optional<Change>(const Task&)>& fn) {
  std::lock_guard lock(mu_);
  std::vector<Task> picked;
  std::vector<std::string> ids;
  for (auto& due : due_tasks_locked(now)) {
    if (static_cast<int>(picked.size()) >= limit) break;
    if (due.lease_owner && due.lease_expires_at && *due.lease_expires_at > now) continue;
    ids.push_back(due.task_id);
    picked.push_back(std::move(due));
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
