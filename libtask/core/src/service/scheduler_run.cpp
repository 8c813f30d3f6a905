// The scheduler's runs: claim, start a slot (or skip it), execute through run_executor with
// timeout and retries, record the outcome, and recover runs whose worker died.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "scheduler_internal.hpp"
#include "task/core/errors.hpp"
#include "task/core/trace_context.hpp"
#include "task/rules/events.hpp"
#include "task/rules/outcome.hpp"
#include "task/schedule/schedule.hpp"

namespace task {
namespace {

namespace json = boost::json;

bool lease_is_mine(const Task& t, const std::string& me) {
  return !t.lease_owner || *t.lease_owner == me;
}

/// Nobody else holds a live lease on `t` at `now`.
bool lease_is_free(const Task& t, const std::string& me, Timestamp now) {
  return lease_is_mine(t, me) || (t.lease_expires_at && *t.lease_expires_at <= now);
}

void clear_lease(Task& t) {
  t.lease_owner.reset();
  t.lease_expires_at.reset();
}

}  // namespace

std::vector<Task> Scheduler::claim_lost(Timestamp now, int limit) {
  auto tasks =
      ports_.repository->claim_lost_runs(now, limit, options_.replica_id, options_.claim_lease);
  counters_->claimed += static_cast<std::int64_t>(tasks.size());
  return tasks;
}

Scheduler::SlotPlan Scheduler::plan_slot(const Task& claimed, Timestamp now) const {
  SlotPlan plan;
  if (!claimed.next_run_time) return plan;  // not due any more: only the claim is let go
  plan.due = claimed.next_run_time;
  schedule::DuePlan due{{*plan.due}, std::nullopt};
  if (claimed.schedule) {
    try {
      const auto s = schedule::parse_schedule(json::value(*claimed.schedule), now);
      due = schedule::plan_due(s, *plan.due, now, claimed.run_count);
    } catch (const ValidationError&) {
      // a stored schedule that no longer parses runs this slot once and stops
    }
  }
  plan.next = due.next;
  if (!due.run.empty()) {
    plan.slot = due.run.front();
    if (due.run.size() > 1) plan.next = due.run[1];
  }
  plan.retry = RetryPolicy::of(claimed);
  plan.budget = plan.retry.budget(run_timeout(claimed)) + options_.lease_margin;
  return plan;
}

std::optional<Change> Scheduler::slot_change(const SlotPlan& plan, const Task& cur, Timestamp now,
                                             SlotStart& out) const {
  out = SlotStart{};
  const bool ours = plan.due && !cur.deleted_at && cur.status == TaskStatus::scheduled &&
                    cur.next_run_time == plan.due && lease_is_free(cur, options_.replica_id, now);
  Change ch;
  ch.task = cur;
  Task& t = *ch.task;
  if (!ours) {  // changed since the claim (edited, paused, run by hand, ...): just let go
    out.kind = SlotStart::stale;
    if (cur.lease_owner != options_.replica_id) return std::nullopt;
    clear_lease(t);
    return ch;
  }
  if (!plan.slot) {  // the misfire policy skips the due slot
    out.kind = SlotStart::skipped;
    clear_lease(t);
    t.next_run_time = plan.next;
    if (!plan.next) {  // the schedule has no slot left (end_at, max_runs)
      t.status = TaskStatus::completed;
      t.is_completed = true;
      t.completed_at = now;
      t.updated_at = now;
      ch.events.push_back(make_status_changed_event(t, cur.status, t.status, "schedule_finished",
                                                    now, ports_.ids->event_id()));
    }
    return ch;
  }
  out.kind = SlotStart::started;
  out.caught_up = *plan.slot != *plan.due;  // run_once: older missed slots are not run
  Execution e;
  e.execution_id = ports_.ids->execution_id();
  e.task_id = cur.task_id;
  e.user_id = cur.user_id;
  e.status = ExecutionStatus::running;
  e.trigger_type = TriggerType::scheduled;
  e.trigger_data = {{"slot", format_rfc3339(*plan.slot)}, {"replica", options_.replica_id}};
  e.scheduled_for = plan.slot;
  e.started_at = now;
  e.created_at = now;
  t.status = TaskStatus::running;
  t.next_run_time = plan.next;
  t.lease_owner = options_.replica_id;
  t.lease_expires_at = now + plan.budget;
  t.updated_at = now;
  // One W3C trace per scheduled run, from its start event to its outcome events (a run started
  // during a request, run_due, continues the request's trace).
  const auto* request_trace = trace::current();
  out.run.trace = request_trace ? *request_trace : trace::continue_trace(std::nullopt);
  const trace::Scope traced(out.run.trace);
  ch.events.push_back(make_status_changed_event(t, cur.status, TaskStatus::running,
                                                "execution_started", now, ports_.ids->event_id()));
  ch.executions.push_back(e);
  out.run.execution = std::move(e);
  out.run.slot = *plan.slot;
  out.run.retry = plan.retry;
  out.run.budget = plan.budget;
  out.run.lease_from = now;
  return ch;
}

std::vector<ScheduledRun> Scheduler::start_due(Timestamp now, int limit, std::size_t& locked) {
  ++counters_->rounds;
  locked = 0;
  if (limit <= 0) return {};
  const auto started = ports_.clock->now();
  std::map<std::string, std::pair<Task, SlotStart>, std::less<>> seen;
  std::vector<std::pair<Task, std::optional<Change>>> written;
  std::vector<ScheduledRun> out;
  try {
    // ONE transaction locks up to `limit` due tasks and starts (or skips) every slot.
    written =
        ports_.repository->modify_due_tasks(now, limit, options_.fairness, [&](const Task& cur) {
          auto& [task, start] = seen[cur.task_id];
          task = cur;
          return slot_change(plan_slot(cur, now), cur, started, start);
        });
  } catch (const Conflict&) {
    // A slot of this batch is already recorded (it ran elsewhere): start them one at a time,
    // so only that slot is skipped. Never run a slot twice.
    locked = seen.size();
    counters_->claimed += static_cast<std::int64_t>(locked);
    for (const auto& [id, entry] : seen)
      if (auto c = start_one(id, plan_slot(entry.first, now), started))
        out.push_back(std::move(*c));
    return out;
  }
  locked = written.size();
  counters_->claimed += static_cast<std::int64_t>(locked);
  for (auto& [task, change] : written) {
    auto& start = seen.at(task.task_id).second;
    if (start.kind == SlotStart::started && change && change->task) {
      start.run.task = *change->task;
      start.run.execution = change->executions.front();
      out.push_back(std::move(start.run));
    }
    count_start(start);
  }
  for (const auto& c : out)
    record_lateness(std::chrono::duration_cast<Micros>(started - c.slot));
  return out;
}

std::optional<ScheduledRun> Scheduler::start_one(const std::string& task_id, const SlotPlan& plan,
                                                 Timestamp now) {
  SlotStart start;
  std::optional<Change> written;
  try {
    written = ports_.repository->modify_task(
        task_id, [&](const Task& cur) { return slot_change(plan, cur, now, start); });
  } catch (const Conflict&) {
    // (task_id, scheduled_for) already exists: this slot ran elsewhere. Move on to the next one.
    ++counters_->duplicate_slots;
    SlotPlan skip = plan;
    skip.slot.reset();
    ports_.repository->modify_task(
        task_id, [&](const Task& cur) { return slot_change(skip, cur, now, start); });
    return std::nullopt;
  }
  count_start(start);
  if (start.kind != SlotStart::started || !written || !written->task) return std::nullopt;
  start.run.task = *written->task;
  start.run.execution = written->executions.front();
  record_lateness(std::chrono::duration_cast<Micros>(now - start.run.slot));
  return std::move(start.run);
}

void Scheduler::count_start(const SlotStart& start) {
  if (start.kind == SlotStart::stale) ++counters_->stale_claims;
  if (start.kind == SlotStart::skipped || start.caught_up) ++counters_->slots_skipped;
}

bool Scheduler::renew_lease(ScheduledRun& c) {
  const auto now = ports_.clock->now();
  if (now - c.lease_from <= options_.lease_margin / 2) return true;
  // The run waited for a worker: extend its lease to a whole budget from now.
  const auto written =
      ports_.repository->modify_task(c.task.task_id, [&](const Task& cur) -> std::optional<Change> {
        if (cur.lease_owner != options_.replica_id || cur.status != TaskStatus::running)
          return std::nullopt;
        Change ch;
        ch.task = cur;
        ch.task->lease_expires_at = now + c.budget;
        return ch;
      });
  if (!written) {
    ++counters_->stale_claims;  // another replica took the run over as lost
    return false;
  }
  c.task = *written->task;
  c.lease_from = now;
  return true;
}

std::vector<std::string> Scheduler::renew_leases(const std::vector<LeaseRenewal>& runs) {
  if (runs.empty()) return {};
  const auto now = ports_.clock->now();
  std::map<std::string, Micros, std::less<>> budgets;
  std::vector<std::string> ids;
  for (const auto& r : runs)
    if (budgets.emplace(r.task_id, r.budget).second) ids.push_back(r.task_id);
  std::vector<std::string> kept;
  ports_.repository->modify_tasks(ids, [&](const Task& cur) -> std::optional<Change> {
    if (cur.lease_owner != options_.replica_id || cur.status != TaskStatus::running)
      return std::nullopt;
    kept.push_back(cur.task_id);
    Change ch;
    ch.task = cur;
    ch.task->lease_expires_at = now + budgets.at(cur.task_id);
    return ch;
  });
  return kept;
}

RunOutcome Scheduler::execute(ScheduledRun& c) {
  // One W3C trace per scheduled run: its attempts' outbound calls and log lines share it.
  const trace::Scope traced(c.trace.trace_id.empty() ? trace::continue_trace(std::nullopt)
                                                     : c.trace);
  ++counters_->active_runs;
  RunOutcome outcome;
  int attempts = 0;
  const auto timeout = run_timeout(c.task);
  for (int a = 1; a <= c.retry.max_attempts; ++a) {
    if (a > 1) {
      if (retries_cancelled_) break;
      ++counters_->retries;
      ports_.sleep(c.retry.backoff_before(a));
      if (retries_cancelled_) break;
    }
    attempts = a;
    outcome = run_executor(*ports_.executors, RunContext{c.task, c.execution, c.task.last_result},
                           timeout);
    if (is_timeout(outcome)) ++counters_->runs_timed_out;
    if (outcome.success) break;
  }
  --counters_->active_runs;
  c.execution.trigger_data["attempts"] = attempts;
  if (!outcome.success && attempts > 1 && outcome.error_details.is_object())
    outcome.error_details.get_object()["attempts"] = attempts;
  return outcome;
}

void Scheduler::finish(std::vector<ScheduledOutcome>& done) {
  if (done.empty()) return;
  std::vector<std::string> ids;
  std::map<std::string, std::size_t, std::less<>> index;
  for (const auto& f : done) {
    index.emplace(f.run.task.task_id, ids.size());
    ids.push_back(f.run.task.task_id);
  }
  std::vector<char> recorded(done.size(), 0);
  const auto now = ports_.clock->now();
  try {
    ports_.repository->modify_tasks(ids, [&](const Task& cur) -> std::optional<Change> {
      const auto i = index.at(cur.task_id);
      // Our lease went to another replica that closed this run as lost: its record stands.
      recorded[i] = cur.lease_owner == options_.replica_id;
      if (!recorded[i]) return std::nullopt;
      const trace::Scope traced(done[i].run.trace);  // the outcome events join the run's trace
      auto r = apply_outcome(cur, done[i].run.execution, done[i].outcome, TaskStatus::scheduled,
                             now, *ports_.ids);
      clear_lease(r.task);
      done[i].recorded = r.execution;
      return Change{std::move(r.task), {std::move(r.execution)}, std::move(r.events), {}};
    });
  } catch (const std::exception&) {
    // Storage trouble: the leases expire and recovery closes these runs as lost.
    ++counters_->storage_errors;
    return;
  }
  for (std::size_t i = 0; i < done.size(); ++i) {
    if (!recorded[i])
      ++counters_->stale_claims;
    else if (done[i].outcome.success)
      ++counters_->runs_succeeded;
    else
      ++counters_->runs_failed;
    if (recorded[i] && done[i].recorded && done[i].recorded->duration_ms)
      record_duration(done[i].run.task.task_type, done[i].outcome.success,
                      *done[i].recorded->duration_ms);
  }
}

Execution Scheduler::run_due(std::string_view task_id) {
  const auto now = ports_.clock->now();
  const auto task = ports_.repository->find_task(task_id);
  if (!task || task->deleted_at) throw NotFound("task", std::string(task_id));
  const std::string from(to_string(task->status));
  const bool leased_elsewhere = task->lease_owner && *task->lease_owner != options_.replica_id &&
                                task->lease_expires_at && *task->lease_expires_at > now;
  if (task->status != TaskStatus::scheduled || !task->next_run_time || *task->next_run_time > now ||
      leased_elsewhere)
    throw Conflict(from, "running");
  // The same slot start as the loop's: misfire policy, lease, unique slot.
  auto run = start_one(task->task_id, plan_slot(*task, now), now);
  if (!run) throw Conflict(from, "running");  // changed meanwhile, or the policy skipped it
  auto outcome = execute(*run);
  std::vector<ScheduledOutcome> done{
      ScheduledOutcome{std::move(*run), std::move(outcome), std::nullopt}};
  finish(done);
  if (!done.front().recorded)
    throw Unavailable("the run finished but its outcome could not be stored");
  return *done.front().recorded;
}

bool Scheduler::recover(const Task& claimed, Timestamp now) {
  // Running executions of this task whose worker is gone (newest first; a run has one), scheduled
  // or manual (a manual run holds a "manual:<execution_id>" lease).
  std::vector<Execution> lost;
  for (const auto& e : ports_.repository->list_executions(claimed.task_id, 20, 0).executions)
    if (e.status == ExecutionStatus::running) lost.push_back(e);
  std::int64_t closed = 0;
  ports_.repository->modify_task(claimed.task_id, [&](const Task& cur) -> std::optional<Change> {
    closed = 0;
    if (cur.status != TaskStatus::running || cur.lease_owner != options_.replica_id)
      return std::nullopt;
    Change ch;
    Task t = cur;
    for (const auto& e : lost) {
      // Who held the run: the replica that started a scheduled run, or the manual run's lease
      // (the claim has already overwritten the task's lease owner with ours).
      const auto* replica = e.trigger_type == TriggerType::scheduled
                                ? e.trigger_data.if_contains("replica")
                                : nullptr;
      const json::value holder = replica ? *replica
                                 : e.trigger_type == TriggerType::scheduled
                                     ? json::value(nullptr)
                                     : json::value("manual:" + e.execution_id);
      const auto outcome =
          RunOutcome::fail("worker lost: lease expired before the run finished", "WORKER_LOST",
                           {{"lease_owner", holder}, {"recovered_by", options_.replica_id}});
      auto r = apply_outcome(t, e, outcome, TaskStatus::scheduled, now, *ports_.ids);
      t = std::move(r.task);
      ch.executions.push_back(std::move(r.execution));
      for (auto& ev : r.events)
        ch.events.push_back(std::move(ev));
      ++closed;
    }
    if (lost.empty() && t.status == TaskStatus::running)  // no run row to close: just let go
      t.status = t.schedule && t.next_run_time ? TaskStatus::scheduled : TaskStatus::failed;
    clear_lease(t);
    ch.task = std::move(t);
    return ch;
  });
  counters_->leases_expired += closed;
  counters_->runs_failed += closed;
  return closed > 0;
}

}  // namespace task
