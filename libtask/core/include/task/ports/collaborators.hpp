#pragma once
/// Ports to the world around the service: subscription levels, notifications, calendar sync and
/// the in-process event sink. Adapters live in task::clients / task::events / task::memory.
///
/// Ownership: shared_ptr; arguments are read during the call only.
/// Thread-safety: called from request and worker threads at once; implementations must be
/// thread-safe (the HTTP adapters of task::clients are).
#include <optional>
#include <string>
#include <string_view>

#include "task/domain/model.hpp"

namespace task {

/// Looks up a user's subscription level (the account service, a cache, or nothing).
class SubscriptionDirectory {
 public:
  virtual ~SubscriptionDirectory() = default;
  /// nullopt when the directory does not know the user.
  virtual std::optional<SubscriptionLevel> level_of(std::string_view user_id) = 0;
};

/// A message to a task's owner.
struct Notification {
  std::string user_id;
  std::string task_id;
  std::string kind;  ///< "reminder", "task_run", "weather_alert", "price_alert", "news"...
  std::string title;
  std::string message;
  boost::json::object data;
};

/// Sends notifications (the notification service, or only the in-process event).
class Notifier {
 public:
  virtual ~Notifier() = default;
  /// Throws task::Unavailable (or returns normally) — a failed delivery must not lose data.
  virtual void notify(const Notification& n) = 0;
};

/// Mirrors calendar_event tasks to the calendar service.
class CalendarSync {
 public:
  virtual ~CalendarSync() = default;
  virtual void upsert_event(const Task& task) = 0;
};

/// Receives relayed domain events (NATS publisher, in-process bus, a test recorder).
class EventSink {
 public:
  virtual ~EventSink() = default;
  /// Publishes one event; throws task::Unavailable when it cannot (the outbox keeps it).
  virtual void publish(const Event& event) = 0;
};

}  // namespace task
