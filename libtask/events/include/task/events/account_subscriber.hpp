#pragma once
/// The NATS subscriber for the events this service consumes (docs/api.md §14): `*.user.deleted` and
/// `*.subscription.changed`, handled by task::handle_account_message. With JetStream, every
/// stream whose subjects intersect a subscribed subject (e.g. the account service's stream on
/// `account_service.>` gives `account_service.user.deleted`) gets a durable consumer on that
/// intersection (one durable name per subject, shared by replicas through a deliver group).
/// When no stream captures a subject (or without JetStream) it is a plain queue subscription.
///
/// Ownership: AccountEventSubscriber owns its NATS connection, its subscriptions and a worker
/// thread (which (re)subscribes after every connect) and shares the repository, clock and ids;
/// destroying it joins the worker and drops the subscriptions (durable consumers stay on the
/// server, so messages published meanwhile arrive on the next start). Thread-safety: messages are
/// handled on nats.c's delivery threads; status() and wait_subscribed() may be called from any
/// thread; it is neither copyable nor movable.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "task/events/log.hpp"
#include "task/events/nats_sink.hpp"
#include "task/ports/clock.hpp"
#include "task/ports/id_generator.hpp"
#include "task/ports/task_store.hpp"
#include "task/ports/user_store.hpp"

namespace task::events {

/// Subscription settings.
struct SubscriberOptions {
  bool use_jetstream = true;  ///< durable consumers when a stream captures the subject
  std::string stream;         ///< only this stream; empty = every stream capturing the subject
  std::vector<std::string> exclude_streams = {"TASK_SERVICE"};  ///< never consumed (our own)
  std::string durable_prefix = "task_service";  ///< durables: <prefix>_user_deleted, ...
  std::string queue = "task_service";  ///< core queue group (one replica handles a message)
  std::chrono::milliseconds ack_wait{30000};
  std::chrono::milliseconds retry_delay{1000};  ///< redelivery delay when storage is down
};

/// One subscribed subject and how it is consumed.
struct SubjectStatus {
  std::string subject;
  bool subscribed = false;
  bool durable = false;  ///< JetStream durable consumers (else a core subscription)
  std::string durable_name;
  std::vector<std::string> streams;  ///< streams consumed, "stream:filter" each
};

/// Counters for health and tests.
struct SubscriberStatus {
  bool connected = false;
  std::vector<SubjectStatus> subjects;
  std::int64_t handled = 0;    ///< messages that changed or confirmed state
  std::int64_t malformed = 0;  ///< logged and acknowledged
  std::int64_t failed = 0;     ///< storage failures (redelivered with JetStream)
};

/// The subjects matched by both NATS subject patterns (`*`, `>` wildcards), as one pattern;
/// nullopt when no subject matches both. E.g. (`*.user.deleted`, `acc.>`) -> `acc.user.deleted`.
std::optional<std::string> subject_intersection(std::string_view a, std::string_view b);

/// Consumes account events and applies them to storage (UserStore, TaskStore).
class AccountEventSubscriber {
 public:
  /// `after_change` runs after a message changed tasks (e.g. OutboxRelay::notify). Connects and
  /// subscribes in the background; never throws for an unreachable server.
  AccountEventSubscriber(NatsOptions nats, SubscriberOptions options,
                         std::shared_ptr<UserStore> users, std::shared_ptr<TaskStore> tasks,
                         std::shared_ptr<const Clock> clock, std::shared_ptr<IdGenerator> ids,
                         std::function<void()> after_change = {}, LogFn log = stderr_logger());
  ~AccountEventSubscriber();
  AccountEventSubscriber(const AccountEventSubscriber&) = delete;
  AccountEventSubscriber& operator=(const AccountEventSubscriber&) = delete;

  /// Waits (up to `timeout`) until every subject is subscribed; true when they are.
  bool wait_subscribed(std::chrono::milliseconds timeout) const;

  SubscriberStatus status() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace task::events
