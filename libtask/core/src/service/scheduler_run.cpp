// The scheduler's runs: claim, start a slot (or skip it), execute with timeout and retries,
// record the outcome, and recover runs whose worker died.
#include <algorithm>
#include <cmath>
#include <future>

#include "scheduler_internal.hpp"
#include "task/core/errors.hpp"
#include "task/rules/events.hpp"
#include "task/rules/outcome.hpp"
#include "task/schedule/schedule.hpp"

namespace task {
namespace {

namespace json = boost::json;

/// The retry policy of `config.retry`: {max_attempts 1–10, backoff_seconds ≥ 0, exponential}.
void read_retry_policy(const Task& task, int& attempts, Micros& backoff, bool& exponential) {
  attempts = 1;
  backoff = std::chrono::seconds(60);
  exponential = false;
  const auto* r = task.config.if_contains("retry");
  if (!r || !r->is_object()) return;
  const auto& o = r->get_object();
  if (const auto* v = o.if_contains("max_attempts"); v && v->is_int64())
    attempts = static_cast<int>(std::clamp<std::int64_t>(v->get_int64(), 1, 10));
  if (const auto* v = o.if_contains("backoff_seconds")) {
    const double s = v->is_int64() ? double(v->get_int64()) : v->is_double() ? v->get_double() : 60;
    backoff = Micros{static_cast<std::int64_t>(std::clamp(s, 0.0, 86400.0) * 1e6)};
  }
  if (const auto* v = o.if_contains("exponential"); v && v->is_bool()) exponential = v->get_bool();
}

Micros backoff_before(int attempt, Micros base, bool exponential) {
  // attempt = the attempt about to start (2, 3, ...)
  return exponential ? base * (std::int64_t{1} << std::min(attempt - 2, 20)) : base;
}

bool lease_is_mine(const Task& t, const std::string& me) {
  return !t.lease_owner || *t.lease_owner == me;
}

void clear_lease(Task& t) {
  t.lease_owner.reset();
  t.lease_expires_at.reset();
}

}  // namespace

Micros Scheduler::run_timeout(const Task& task) const {
  // A webhook bounds itself with config.timeout_ms (API.md §10b): allow that plus 5 s.
  if (task.task_type == TaskType::custom && !options_.timeouts.contains(TaskType::custom)) {
    if (const auto* v = task.config.if_contains("timeout_ms"); v && v->is_int64())
      return std::chrono::milliseconds(std::clamp<std::int64_t>(v->get_int64(), 1, 60000)) +
             std::chrono::seconds(5);
    return std::chrono::seconds(15);  // the webhook default of 10 s, plus 5 s
  }
  return timeout_for(task.task_type);
}

std::vector<Task> Scheduler::claim(Timestamp now, int limit) {
  ++counters_->rounds;
  auto tasks =
      ports_.repository->claim_due_tasks(now, limit, options_.replica_id, options_.claim_lease);
  counters_->claimed += static_cast<std::int64_t>(tasks.size());
  return tasks;
}

bool Scheduler::process(const Task& claimed, Timestamp now) {
  try {
    if (claimed.status == TaskStatus::running) return recover(claimed, now);
    auto c = begin(claimed, now);
    if (!c) return false;
    ++counters_->active_runs;
    const auto outcome = execute(*c);
    finish(*c, outcome);
    --counters_->active_runs;
    return true;
  } catch (const std::exception&) {
    // Storage trouble: the lease expires and another round (or replica) picks the task up.
    ++counters_->storage_errors;
    return false;
  }
}

std::optional<Scheduler::Claim> Scheduler::begin(const Task& claimed, Timestamp now) {
  if (!claimed.next_run_time) {
    release_lease(claimed.task_id);
    return std::nullopt;
  }
  const Timestamp due = *claimed.next_run_time;
  schedule::DuePlan plan{{due}, std::nullopt};
  if (claimed.schedule) {
    try {
      const auto s = schedule::parse_schedule(json::value(*claimed.schedule), now);
      plan = schedule::plan_due(s, due, now, claimed.run_count);
    } catch (const ValidationError&) {
      // a stored schedule that no longer parses runs this slot once and stops
    }
  }
  if (plan.run.empty()) {
    ++counters_->slots_skipped;
    skip_slot(claimed, due, plan.next, now);
    return std::nullopt;
  }
  const Timestamp slot = plan.run.front();
  const auto next = plan.run.size() > 1 ? std::optional(plan.run[1]) : plan.next;
  if (slot != due) ++counters_->slots_skipped;  // run_once: older missed slots are not run

  Claim c;
  c.slot = slot;
  read_retry_policy(claimed, c.max_attempts, c.backoff, c.exponential);
  Micros budget = run_timeout(claimed) * c.max_attempts + options_.lease_margin;
  for (int a = 2; a <= c.max_attempts; ++a)
    budget += backoff_before(a, c.backoff, c.exponential);

  const auto started = ports_.clock->now();
  bool stale = false;
  try {
    auto change = ports_.repository->modify_task(
        claimed.task_id, [&](const Task& cur) -> std::optional<Change> {
          stale = cur.deleted_at || cur.status != TaskStatus::scheduled ||
                  cur.next_run_time != due || !lease_is_mine(cur, options_.replica_id);
          if (stale) return std::nullopt;
          Execution e;
          e.execution_id = ports_.ids->execution_id();
          e.task_id = cur.task_id;
          e.user_id = cur.user_id;
          e.status = ExecutionStatus::running;
          e.trigger_type = TriggerType::scheduled;
          e.trigger_data = {{"slot", format_rfc3339(slot)}, {"replica", options_.replica_id}};
          e.scheduled_for = slot;
          e.started_at = started;
          e.created_at = started;
          Change ch;
          ch.task = cur;
          Task& t = *ch.task;
          t.status = TaskStatus::running;
          t.next_run_time = next;
          t.lease_owner = options_.replica_id;
          t.lease_expires_at = started + budget;
          t.updated_at = started;
          ch.events.push_back(make_status_changed_event(t, cur.status, TaskStatus::running,
                                                        "execution_started", started,
                                                        ports_.ids->event_id()));
          ch.executions.push_back(e);
          c.execution = std::move(e);
          return ch;
        });
    if (!change) {
      ++counters_->stale_claims;
      release_lease(claimed.task_id);
      return std::nullopt;
    }
    c.task = *change->task;
  } catch (const Conflict&) {
    // (task_id, scheduled_for) already exists: this slot ran elsewhere. Never run it twice.
    ++counters_->duplicate_slots;
    skip_slot(claimed, due, next, now);
    return std::nullopt;
  }
  record_lateness(std::chrono::duration_cast<Micros>(started - slot));
  return c;
}

void Scheduler::skip_slot(const Task& claimed, Timestamp due, std::optional<Timestamp> next,
                          Timestamp now) {
  ports_.repository->modify_task(claimed.task_id, [&](const Task& cur) -> std::optional<Change> {
    Change ch;
    ch.task = cur;
    Task& t = *ch.task;
    const bool ours = !cur.deleted_at && cur.status == TaskStatus::scheduled &&
                      cur.next_run_time == due && lease_is_mine(cur, options_.replica_id);
    if (!ours) {
      if (cur.lease_owner != options_.replica_id) return std::nullopt;
      clear_lease(t);  // not ours to move any more; just let go
      return ch;
    }
    clear_lease(t);
    t.next_run_time = next;
    if (!next) {  // the schedule has no slot left (end_at, max_runs)
      t.status = TaskStatus::completed;
      t.is_completed = true;
      t.completed_at = now;
      t.updated_at = now;
      ch.events.push_back(make_status_changed_event(t, cur.status, t.status, "schedule_finished",
                                                    now, ports_.ids->event_id()));
    }
    return ch;
  });
}

void Scheduler::release_lease(const std::string& task_id) {
  ports_.repository->modify_task(task_id, [&](const Task& cur) -> std::optional<Change> {
    if (cur.lease_owner != options_.replica_id) return std::nullopt;
    Change ch;
    ch.task = cur;
    clear_lease(*ch.task);
    return ch;
  });
}

RunOutcome Scheduler::execute(Claim& c) {
  RunOutcome outcome;
  int attempts = 0;
  for (int a = 1; a <= c.max_attempts; ++a) {
    if (a > 1) {
      ++counters_->retries;
      const auto wait = backoff_before(a, c.backoff, c.exponential);
      if (ports_.sleep)
        ports_.sleep(wait);
      else
        wait_for(wait);
      if (stopping_) break;
    }
    attempts = a;
    outcome = attempt(c);
    if (outcome.success) break;
  }
  c.execution.trigger_data["attempts"] = attempts;
  if (!outcome.success && attempts > 1 && outcome.error_details.is_object())
    outcome.error_details.get_object()["attempts"] = attempts;
  return outcome;
}

RunOutcome Scheduler::attempt(const Claim& c) {
  const auto it = ports_.executors->find(c.task.task_type);
  if (it == ports_.executors->end() || !it->second)
    return RunOutcome::fail(
        "No executor is configured for task type " + std::string(to_string(c.task.task_type)),
        "PROVIDER_NOT_CONFIGURED");
  RunContext ctx{c.task, c.execution, c.task.last_result};
  std::packaged_task<RunOutcome()> job([executor = it->second, ctx = std::move(ctx)] {
    try {
      return executor->run(ctx);
    } catch (const std::exception& ex) {
      return RunOutcome::fail(std::string("Executor raised an exception: ") + ex.what(),
                              "EXECUTOR_EXCEPTION");
    } catch (...) {
      return RunOutcome::fail("Executor raised an unknown exception", "EXECUTOR_EXCEPTION");
    }
  });
  auto result = job.get_future();
  // The executor runs on its own thread so a hung provider cannot hold the worker past the
  // timeout; a run that times out finishes in the background and its result is discarded.
  std::thread(std::move(job)).detach();
  const auto timeout = run_timeout(c.task);
  if (result.wait_for(timeout) == std::future_status::timeout) {
    ++counters_->runs_timed_out;
    return RunOutcome::fail("Run timed out after " + std::to_string(timeout.count() / 1000) + " ms",
                            "EXECUTION_TIMEOUT", {{"timeout_ms", timeout.count() / 1000}});
  }
  return result.get();
}

void Scheduler::finish(const Claim& c, const RunOutcome& outcome) {
  const auto now = ports_.clock->now();
  bool recorded = false;
  ports_.repository->modify_task(c.task.task_id, [&](const Task& cur) -> std::optional<Change> {
    // Our lease went to another replica that closed this run as lost: its record stands.
    recorded = cur.lease_owner == options_.replica_id;
    if (!recorded) return std::nullopt;
    auto r = apply_outcome(cur, c.execution, outcome, TaskStatus::scheduled, now, *ports_.ids);
    clear_lease(r.task);
    return Change{std::move(r.task), {std::move(r.execution)}, std::move(r.events)};
  });
  if (!recorded)
    ++counters_->stale_claims;
  else if (outcome.success)
    ++counters_->runs_succeeded;
  else
    ++counters_->runs_failed;
}

bool Scheduler::recover(const Task& claimed, Timestamp now) {
  // Running executions of this task whose worker is gone (newest first; a run has one).
  std::vector<Execution> lost;
  for (const auto& e : ports_.repository->list_executions(claimed.task_id, 20, 0).executions)
    if (e.status == ExecutionStatus::running && e.trigger_type == TriggerType::scheduled)
      lost.push_back(e);
  std::int64_t closed = 0;
  ports_.repository->modify_task(claimed.task_id, [&](const Task& cur) -> std::optional<Change> {
    closed = 0;
    if (cur.status != TaskStatus::running || cur.lease_owner != options_.replica_id)
      return std::nullopt;
    Change ch;
    Task t = cur;
    for (const auto& e : lost) {
      const auto outcome = RunOutcome::fail(
          "worker lost: lease expired before the run finished", "WORKER_LOST",
          {{"lease_owner", claimed.lease_owner ? json::value(*claimed.lease_owner) : nullptr}});
      auto r = apply_outcome(t, e, outcome, TaskStatus::scheduled, now, *ports_.ids);
      t = std::move(r.task);
      ch.executions.push_back(std::move(r.execution));
      for (auto& ev : r.events)
        ch.events.push_back(std::move(ev));
      ++closed;
    }
    clear_lease(t);
    ch.task = std::move(t);
    return ch;
  });
  counters_->leases_expired += closed;
  counters_->runs_failed += closed;
  return closed > 0;
}

}  // namespace task
