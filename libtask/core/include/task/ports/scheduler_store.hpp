#pragma once
/// The SchedulerStore role: due tasks, lost runs, the batched slot start and finish, reminders.
/// The scheduler also reads and changes single task rows (find_task, modify_task,
/// list_executions), so this role extends TaskStore and the scheduler holds one pointer.
/// TaskService uses list_due_tasks (internal pending list) and earliest_due_time (lag in the
/// service stats). Executions are unique per (task_id, scheduled_for): a change inserting a
/// second row for a slot throws Conflict.
///
/// Ownership: the storage object is shared (std::shared_ptr) by the service, the scheduler and
/// the event relay; every result is a copy the caller owns (no reference into storage escapes a
/// call); string_view and reference arguments are read during the call only.
/// Thread-safety: every method may be called from any number of threads at once (task::memory:
/// one mutex, so a callback must not call back into the repository; task::store: a pooled
/// connection per call). The callbacks of `modify_tasks` / `modify_due_tasks` are used during
/// the call only and may run more than once: they must be pure.
#include <array>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "task/ports/task_store.hpp"

namespace task {

/// How a claim shares due work among users (API §16, docs/scheduler.md "Fair turns"): users take
/// turns within a priority, and a user with `limit` runs in flight (status running, lease
/// unexpired, any replica) gets no more until one finishes.
struct ClaimFairness {
  /// Most scheduled runs of one user in flight at once, indexed by SubscriptionLevel; a value
  /// <= 0 means no limit.
  std::array<int, 4> limit{1, 2, 4, 16};
  /// The level of a user with no stored level (TASK_DEFAULT_TIER).
  SubscriptionLevel default_level = SubscriptionLevel::basic;
  /// false: the claim order of the first release (priority, slot, id; no turns, no limit). Kept
  /// as the benchmark's yardstick.
  bool enabled = true;

  /// The limit of a level, or nullopt when it has none.
  std::optional<int> limit_of(SubscriptionLevel level) const {
    const int n = limit[static_cast<std::size_t>(level)];
    if (n <= 0) return std::nullopt;
    return n;
  }
};

/// What the scheduler reads and writes, on top of TaskStore.
class SchedulerStore : public virtual TaskStore {
 public:
  /// Due tasks of all users without claiming them: status scheduled, next_run_time <= now, not
  /// deleted; ordered by priority rank desc, then next_run_time, then id.
  virtual std::vector<Task> list_due_tasks(Timestamp now, int limit) = 0;
  /// Claims up to `limit` non-deleted `running` tasks whose lease is set and expired at `now`
  /// (their worker died), oldest lease first, for `owner` until `now + lease`; atomic across
  /// processes.
  virtual std::vector<Task> claim_lost_runs(Timestamp now, int limit, std::string_view owner,
                                            std::chrono::microseconds lease) = 0;
  /// Claims and changes due tasks in ONE transaction (the scheduler's slot start): locks up to
  /// `limit` due tasks — the filter and order of list_due_tasks, skipping rows whose lease is
  /// held and unexpired and rows another transaction holds — calls `fn` on each in that order,
  /// and writes what it returns as modify_tasks does. Returns every locked task (as read) with
  /// what was written for it. A slot Conflict in any change throws Conflict and writes nothing.
  /// With `fairness.enabled` the order is fair_turn_order's (priority, then each user's turn)
  /// and a user's tasks are left out beyond their room (limit − runs in flight, counted in
  /// storage under a per-user claim lock, so replicas never exceed it together).
  virtual std::vector<std::pair<Task, std::optional<Change>>> modify_due_tasks(
      Timestamp now, int limit, const ClaimFairness& fairness,
      const std::function<std::optional<Change>(const Task&)>& fn) = 0;
  /// modify_due_tasks in the first release's order (no turns, no per-user limit).
  std::vector<std::pair<Task, std::optional<Change>>> modify_due_tasks(
      Timestamp now, int limit, const std::function<std::optional<Change>(const Task&)>& fn) {
    ClaimFairness off;
    off.enabled = false;
    return modify_due_tasks(now, limit, off, fn);
  }
  /// Batch form of modify_task, in ONE transaction: locks the rows of `task_ids` (distinct; in
  /// row id order, so two batches never deadlock), calls `fn` once per stored task in the order
  /// given, and writes every change with multi-row statements. Element i of the result is what
  /// was written for task_ids[i] (nullopt when `fn` returned nullopt or no row has that
  /// task_id). A slot Conflict in any change throws Conflict and writes nothing of the batch.
  virtual std::vector<std::optional<Change>> modify_tasks(
      const std::vector<std::string>& task_ids,
      const std::function<std::optional<Change>(const Task&)>& fn) = 0;
  /// The earliest next_run_time among scheduled, non-deleted tasks (for the scheduler's timer).
  virtual std::optional<Timestamp> earliest_due_time() = 0;
  /// Tasks whose reminder is due: reminder_time <= now, reminder_sent_at null, not completed,
  /// not deleted, not cancelled; ordered by reminder_time.
  virtual std::vector<Task> list_due_reminders(Timestamp now, int limit) = 0;
};

}  // namespace task
