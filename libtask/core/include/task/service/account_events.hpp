#pragma once
/// Handlers for the events this service subscribes to (docs/api.md §14): `*.user.deleted` cancels
/// the user's open tasks, `*.subscription.changed` stores the user's level. Plain functions over
/// the repository port, so they are testable without NATS; the transport (NATS, the in-process bus)
/// only parses bytes and calls `handle_account_message`.
///
/// Ownership: the handlers borrow the repository (and ids/clock) for the duration of the call only;
/// string_view arguments are read during the call. Thread-safety: no state of their own; safe to
/// call from several threads (e.g. nats.c's delivery threads) when the repository is (both
/// bundled ones are); concurrent handling of the same user is serialized by modify_task.
#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "task/core/enums.hpp"
#include "task/core/time.hpp"
#include "task/domain/model.hpp"
#include "task/ports/clock.hpp"
#include "task/ports/id_generator.hpp"
#include "task/ports/task_store.hpp"
#include "task/ports/user_store.hpp"

namespace task {

/// The subscribed subjects (NATS wildcards: any publisher prefix).
inline constexpr std::string_view kUserDeletedSubject = "*.user.deleted";
inline constexpr std::string_view kSubscriptionChangedSubject = "*.subscription.changed";

/// Which subscribed event a subject names, by its last two tokens.
enum class AccountEventKind { user_deleted, subscription_changed, other };

/// `x.user.deleted` -> user_deleted, `x.subscription.changed` -> subscription_changed, else other.
AccountEventKind classify_account_subject(std::string_view subject);

/// The payload object of a message: `data` of a CloudEvents envelope (an object with
/// `specversion` and `data`), else the top-level object. nullopt when the body is not a JSON
/// object (or the envelope's `data` is not one).
std::optional<boost::json::object> account_event_payload(std::string_view body);

/// The time an event happened: the envelope's `time` or the payload's `changed_at`/`timestamp`,
/// when present and valid.
std::optional<Timestamp> account_event_time(std::string_view body);

/// What handling one message did.
struct AccountEventOutcome {
  enum class Result { handled, ignored, malformed } result = Result::ignored;
  std::string user_id;
  std::vector<std::string> cancelled_task_ids;  ///< user.deleted: tasks cancelled now
  std::optional<SubscriptionLevel> level;       ///< subscription.changed: stored level
  std::string detail;                           ///< why malformed / ignored (for the log)
};

/// The `task.status_changed` event of a cancellation caused by a deleted user.
Event user_deleted_status_event(const Task& before, const Task& after, std::string event_id);

/// Cancels every non-deleted task of `user_id` that is not cancelled or completed: status
/// `cancelled` (a running task stays cancelled when its run finishes), `next_run_time` cleared,
/// one `task.status_changed` (reason `user_deleted`) in the same modify_task change. Idempotent:
/// a second call finds nothing open. Returns the cancelled task ids.
std::vector<std::string> cancel_user_tasks(UserStore& users, TaskStore& tasks, const Clock& clock,
                                           IdGenerator& ids, std::string_view user_id);

/// Parses a level name (`free`, `basic`, `pro`, `enterprise`; case-insensitive, surrounding
/// blanks ignored).
std::optional<SubscriptionLevel> parse_tier(std::string_view text);

/// Dispatches one received message by subject: validates the payload (`{user_id}` or
/// `{user_id, new_tier}`), then cancels tasks or stores the level (`set_user_level` with the
/// event's time, else now). Never throws for bad input (result `malformed`); storage errors
/// (task::Unavailable) propagate so the transport can redeliver.
AccountEventOutcome handle_account_message(UserStore& users, TaskStore& tasks, const Clock& clock,
                                           IdGenerator& ids, std::string_view subject,
                                           std::string_view body);

}  // namespace task
