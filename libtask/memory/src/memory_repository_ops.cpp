// The in-memory repository: aggregates, scheduler queries, users and the outbox.
#include <algorithm>

#include "task/codec/json_numbers.hpp"
#include "task/memory/memory_repository.hpp"
#include "task/rules/builtin_templates.hpp"

namespace task::memory {
namespace {

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

bool is_due(const Task& t, Timestamp now) {
  return !t.deleted_at && t.status == TaskStatus::scheduled && t.next_run_time &&
         *t.next_run_time <= now;
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

std::vector<Task> MemoryRepository::claim_due_tasks(Timestamp now, int limit,
                                                    std::string_view owner,
                                                    std::chrono::microseconds lease) {
  std::lock_guard lock(mu_);
  std::vector<Task> out;
  claim_lost_locked(now, limit, owner, lease, out);  // recovered first
  for (const auto& due : due_tasks_locked(now)) {
    if (static_cast<int>(out.size()) >= limit) break;
    if (due.lease_owner && due.lease_expires_at && *due.lease_expires_at > now) continue;
    auto& t = tasks_.at(due.task_id);
    t.lease_owner = std::string(owner);
    t.lease_expires_at = now + lease;
    out.push_back(t);
  }
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

std::optional<SubscriptionLevel> MemoryRepository::find_user_level(std::string_view user_id) {
  std::lock_guard lock(mu_);
  const auto it = levels_.find(user_id);
  if (it == levels_.end()) return std::nullopt;
  return it->second.level;
}

void MemoryRepository::set_user_level(std::string_view user_id, SubscriptionLevel level,
                                      Timestamp changed_at) {
  std::lock_guard lock(mu_);
  const auto it = levels_.find(user_id);
  if (it != levels_.end() && it->second.changed_at > changed_at) return;  // older event
  levels_[std::string(user_id)] = UserLevel{level, changed_at};
}

std::vector<std::string> MemoryRepository::list_open_task_ids(std::string_view user_id) {
  std::lock_guard lock(mu_);
  std::vector<std::pair<std::int64_t, std::string>> rows;
  for (const auto& [id, t] : tasks_)
    if (t.user_id == user_id && !t.deleted_at && t.status != TaskStatus::cancelled &&
        t.status != TaskStatus::completed)
      rows.emplace_back(t.id, t.task_id);
  std::sort(rows.begin(), rows.end());
  std::vector<std::string> out;
  for (auto& r : rows)
    out.push_back(std::move(r.second));
  return out;
}

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

void load_builtin_templates(TaskRepository& repo, Timestamp at) {
  for (const auto& t : builtin_templates(at))
    repo.upsert_template(t);
}

}  // namespace task::memory
