// The in-memory repository: stored subscription levels and a user's open tasks (UserStore).
#include <algorithm>

#include "task/memory/memory_repository.hpp"

namespace task::memory {

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

}  // namespace task::memory
