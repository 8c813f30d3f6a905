#pragma once
/// The UserStore role: what the account events keep about users — the stored subscription level
/// (subscription.changed; read back by TaskService::resolve_level) and a user's open tasks
/// (user.deleted cancels them through TaskStore::modify_task).
///
/// Ownership: the storage object is shared (std::shared_ptr) by the service, the scheduler and
/// the event relay; every result is a copy the caller owns (no reference into storage escapes a
/// call); string_view and reference arguments are read during the call only.
/// Thread-safety: every method may be called from any number of threads at once (task::memory:
/// one mutex, so a callback must not call back into the repository; task::store: a pooled
/// connection per call).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "task/domain/model.hpp"

namespace task {

/// Stored levels and open tasks of users.
class UserStore {
 public:
  virtual ~UserStore() = default;
  /// The stored subscription level of a user (from subscription.changed events), if any.
  virtual std::optional<SubscriptionLevel> find_user_level(std::string_view user_id) = 0;
  /// Stores the level unless a level changed later than `changed_at` is stored already.
  virtual void set_user_level(std::string_view user_id, SubscriptionLevel level,
                              Timestamp changed_at) = 0;
  /// Non-deleted task ids of a user whose status is not cancelled/completed (user.deleted),
  /// in row id order.
  virtual std::vector<std::string> list_open_task_ids(std::string_view user_id) = 0;
};

}  // namespace task
