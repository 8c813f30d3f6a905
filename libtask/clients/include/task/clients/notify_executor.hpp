#pragma once
/// The todo family's executor (todo, reminder, calendar_event): a run notifies the owner through
/// the Notifier port. Without a notification service the run still succeeds, and its result says
/// plainly that the notification went out only as the in-process `task.executed` event.
///
/// Ownership: NotifyExecutor shares ownership of its Notifier and CalendarSync (shared_ptr; either
/// may be null); `run` reads the RunContext only during the call. Thread-safety: `run` is called
/// from worker threads, several at once; it keeps no state of its own, so it is as thread-safe as
/// the two collaborators (the HTTP adapters of this component are).
#include <memory>

#include "task/ports/collaborators.hpp"
#include "task/ports/executor.hpp"

namespace task::clients {

/// Runs todo / reminder / calendar_event tasks.
class NotifyExecutor final : public Executor {
 public:
  /// `notifier` may be null (no notification service configured); `calendar` may be null.
  NotifyExecutor(std::shared_ptr<Notifier> notifier, std::shared_ptr<CalendarSync> calendar = {})
      : notifier_(std::move(notifier)), calendar_(std::move(calendar)) {}
  RunOutcome run(const RunContext& ctx) override;

 private:
  std::shared_ptr<Notifier> notifier_;
  std::shared_ptr<CalendarSync> calendar_;
};

/// The notification a todo-family run sends.
Notification run_notification(const RunContext& ctx);

}  // namespace task::clients
