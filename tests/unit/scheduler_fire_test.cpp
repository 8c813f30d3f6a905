// Scheduler: every kind of schedule fires on its slots, exactly once; inactive tasks never fire.
#include <catch2/catch.hpp>

#include "scheduler_support.hpp"
#include "task/core/errors.hpp"

using namespace task;
using namespace task::test;
using Strings = std::vector<std::string>;

namespace {
const Micros kMinute = std::chrono::minutes(1);
const Micros kHour = std::chrono::hours(1);
}  // namespace

TEST_CASE("scheduler: a cron task runs each slot once, as a scheduled execution") {
  SchedulerFixture fx;
  auto t = fx.create(fx.alice,
                     R"({"name":"q","task_type":"data_backup",
                         "schedule":{"type":"cron","expression":"*/15 * * * *"}})");
  REQUIRE(t.status == TaskStatus::scheduled);
  fx.walk(T("2026-11-26T11:00:00Z"), kMinute);
  fx.step_at(T("2026-11-26T11:00:00Z"));  // the same instant again: nothing new
  CHECK(fx.slots(t.task_id) == Strings{"2026-11-26T10:00:00Z", "2026-11-26T10:15:00Z",
                                       "2026-11-26T10:30:00Z", "2026-11-26T10:45:00Z",
                                       "2026-11-26T11:00:00Z"});
  for (const auto& e : fx.runs(t.task_id)) {
    CHECK(e.trigger_type == TriggerType::scheduled);
    CHECK(e.status == ExecutionStatus::completed);
    CHECK(e.started_at == *e.scheduled_for);  // stepped every minute on the minute: on time
  }
  const auto after = fx.task(t.task_id);
  CHECK(after.status == TaskStatus::scheduled);
  CHECK(after.run_count == 5);
  CHECK(after.success_count == 5);
  CHECK(after.next_run_time == T("2026-11-26T11:15:00Z"));
  CHECK_FALSE(after.lease_owner);  // leases are released
  CHECK(fx.executor->calls == 5);
  const auto m = fx.scheduler.metrics();
  CHECK(m.runs_succeeded == 5);
  CHECK(m.lateness.count == 5);
  CHECK(m.lateness.cumulative.front() == 5);  // all within 10 ms
}

TEST_CASE("scheduler: interval, daily, weekly and monthly tasks fire on their slots") {
  SchedulerFixture fx;
  auto interval = fx.create(fx.alice, R"({"name":"i","task_type":"data_backup",
      "schedule":{"type":"interval","interval_seconds":7200}})");
  auto daily = fx.create(fx.alice, R"({"name":"d","task_type":"data_backup",
      "schedule":{"type":"daily","time":"07:30","timezone":"Europe/Berlin"}})");
  auto weekly = fx.create(fx.alice, R"({"name":"w","task_type":"data_backup",
      "schedule":{"type":"weekly","weekday":"monday","time":"09:00"}})");
  auto monthly = fx.create(fx.alice, R"({"name":"m","task_type":"data_backup",
      "schedule":{"type":"monthly","day":31,"time":"12:00"}})");
  fx.walk(T("2026-12-08T00:00:00Z"), std::chrono::minutes(30));

  const auto iv = fx.slots(interval.task_id);
  CHECK(iv.size() == 140);  // every 2 h from the 26th 10:00 to the 8th 00:00 (278 h)
  CHECK(iv.front() == "2026-11-26T10:00:00Z");
  CHECK(iv.back() == "2026-12-08T00:00:00Z");
  const auto dv = fx.slots(daily.task_id);
  CHECK(dv.size() == 11);  // 07:30 Berlin = 06:30 UTC, 27th .. 7th
  CHECK(dv.front() == "2026-11-27T06:30:00Z");
  CHECK(fx.slots(weekly.task_id) == Strings{"2026-11-30T09:00:00Z", "2026-12-07T09:00:00Z"});
  CHECK(fx.slots(monthly.task_id) == Strings{"2026-11-30T12:00:00Z"});  // clamped to the 30th
}

TEST_CASE("scheduler: a once task runs once and completes") {
  SchedulerFixture fx;
  auto t = fx.create(fx.alice, R"({"name":"o","task_type":"data_backup",
      "schedule":{"type":"once","run_at":"2026-11-26T10:30:00Z"}})");
  fx.walk(T("2026-11-26T12:00:00Z"), kMinute);
  CHECK(fx.slots(t.task_id) == Strings{"2026-11-26T10:30:00Z"});
  const auto after = fx.task(t.task_id);
  CHECK(after.status == TaskStatus::completed);
  CHECK(after.is_completed);
  CHECK_FALSE(after.next_run_time);
}

TEST_CASE("scheduler: paused, cancelled, completed and deleted tasks never fire") {
  SchedulerFixture fx;
  const char* body = R"({"name":"x","task_type":"data_backup",
      "schedule":{"type":"cron","expression":"*/5 * * * *"}})";
  auto paused = fx.create(fx.alice, body);
  auto cancelled = fx.create(fx.alice, body);
  auto completed = fx.create(fx.alice, body);
  auto deleted = fx.create(fx.alice, body);
  fx.service.update_task(fx.alice, paused.task_id, J(R"({"status":"paused"})"));
  fx.service.update_task(fx.alice, cancelled.task_id, J(R"({"status":"cancelled"})"));
  fx.service.update_task(fx.alice, completed.task_id, J(R"({"status":"completed"})"));
  fx.service.delete_task(fx.alice, deleted.task_id);
  fx.walk(T("2026-11-26T11:00:00Z"), kMinute);
  for (const auto& id : {paused.task_id, cancelled.task_id, completed.task_id, deleted.task_id})
    CHECK(fx.runs(id).empty());
  CHECK(fx.executor->calls == 0);

  SECTION("a resumed task fires again from its next slot") {
    fx.service.update_task(fx.alice, paused.task_id, J(R"({"status":"scheduled"})"));
    fx.walk(T("2026-11-26T11:10:00Z"), kMinute);
    CHECK_FALSE(fx.runs(paused.task_id).empty());
  }
}

TEST_CASE("scheduler: claims run in priority order, then earliest slot") {
  SchedulerFixture fx;
  std::vector<std::string> order;
  fx.executor->behaviour = [&](const RunContext& ctx) {
    order.push_back(ctx.task.name);
    return RunOutcome::ok(nullptr);
  };
  for (const char* p : {"low", "medium", "urgent", "high"})
    fx.create(fx.alice, (std::string(R"({"name":")") + p + R"(","task_type":"data_backup",
        "priority":")" + p +
                         R"(","schedule":{"type":"once","run_at":"2026-11-26T10:05:00Z"}})")
                            .c_str());
  fx.create(fx.alice, R"({"name":"early-low","task_type":"data_backup","priority":"low",
      "schedule":{"type":"once","run_at":"2026-11-26T10:01:00Z"}})");
  // alice has the default level (basic): 2 runs in flight at once (TASK_USER_CONCURRENCY), so
  // each round starts two of her five due tasks.
  fx.step_at(T("2026-11-26T10:10:00Z"));
  CHECK(order == Strings{"urgent", "high"});
  fx.step_at(T("2026-11-26T10:10:00Z"));
  fx.step_at(T("2026-11-26T10:10:00Z"));
  CHECK(order == Strings{"urgent", "high", "medium", "early-low", "low"});
}

TEST_CASE("scheduler: a slot that already has an execution is skipped, never run twice") {
  SchedulerFixture fx;
  auto t = fx.create(fx.alice, R"({"name":"d","task_type":"data_backup",
      "schedule":{"type":"cron","expression":"0 * * * *"}})");
  // Another replica already recorded the 11:00 slot.
  fx.repo->modify_task(t.task_id, [&](const Task&) -> std::optional<Change> {
    Execution e;
    e.execution_id = "exe_other";
    e.task_id = t.task_id;
    e.user_id = t.user_id;
    e.status = ExecutionStatus::completed;
    e.trigger_type = TriggerType::scheduled;
    e.scheduled_for = T("2026-11-26T11:00:00Z");
    return Change{std::nullopt, {e}, {}, {}};
  });
  fx.walk(T("2026-11-26T12:00:00Z"), kMinute);
  CHECK(fx.slots(t.task_id) ==
        Strings{"2026-11-26T10:00:00Z", "2026-11-26T11:00:00Z", "2026-11-26T12:00:00Z"});
  CHECK(fx.executor->calls == 2);  // 10:00 and 12:00; 11:00 was not run again
  CHECK(fx.scheduler.metrics().duplicate_slots == 1);
  CHECK(fx.task(t.task_id).next_run_time == T("2026-11-26T13:00:00Z"));
}

TEST_CASE("scheduler: a claim held by another replica is not taken until its lease expires") {
  SchedulerFixture fx;
  auto t = fx.create(fx.alice, R"({"name":"d","task_type":"data_backup",
      "schedule":{"type":"once","run_at":"2026-11-26T10:00:00Z"}})");
  const auto until = fx.clock->now() + std::chrono::seconds(30);
  fx.repo->modify_task(t.task_id, [&](const Task& cur) -> std::optional<Change> {
    Change ch;  // replica-b's lease on the due task
    ch.task = cur;
    ch.task->lease_owner = "replica-b";
    ch.task->lease_expires_at = until;
    return ch;
  });
  CHECK(fx.step_at(T("2026-11-26T10:00:10Z")).claimed == 0);
  CHECK(fx.runs(t.task_id).empty());
  CHECK(fx.step_at(T("2026-11-26T10:00:31Z")).runs == 1);  // replica-b never started it
  CHECK(fx.slots(t.task_id) == Strings{"2026-11-26T10:00:00Z"});
}

TEST_CASE("scheduler: metrics are numbers: counters, lateness and run durations by type") {
  SchedulerFixture fx;
  fx.create(fx.alice, R"({"name":"d","task_type":"data_backup",
      "schedule":{"type":"once","run_at":"2026-11-26T10:00:00Z"}})");
  fx.step_at(T("2026-11-26T10:00:02Z"));
  const auto m = fx.scheduler.metrics();
  CHECK(m.runs_succeeded == 1);
  CHECK(m.claimed == 1);
  REQUIRE(m.bounds.size() == m.lateness.cumulative.size());
  REQUIRE(m.bounds[5] == 1.0);
  REQUIRE(m.bounds[6] == 2.5);
  CHECK(m.lateness.cumulative[5] == 0);  // 2 s late: not within 1 s
  CHECK(m.lateness.cumulative[6] == 1);  // within 2.5 s
  CHECK(m.lateness.count == 1);
  CHECK(m.lateness.sum_seconds == Approx(2.0));
  REQUIRE(m.run_durations.size() == 1);
  CHECK(m.run_durations[0].task_type == TaskType::data_backup);
  CHECK(m.run_durations[0].outcome == "completed");
  CHECK(m.run_durations[0].histogram.count == 1);
}

TEST_CASE("scheduler: run_due starts a due slot exactly as the loop does") {
  SchedulerFixture fx;
  auto t = fx.create(fx.alice, R"({"name":"i","task_type":"data_backup",
      "schedule":{"type":"interval","interval_seconds":60}})");
  REQUIRE(t.next_run_time);
  CHECK_THROWS_AS(fx.scheduler.run_due("tsk_000000000000000000000000"), NotFound);
  if (*t.next_run_time > fx.clock->now())
    CHECK_THROWS_AS(fx.scheduler.run_due(t.task_id), Conflict);  // not due yet
  const auto slot = *t.next_run_time;
  fx.clock->set(slot + std::chrono::seconds(5));
  const auto e = fx.scheduler.run_due(t.task_id);
  CHECK(e.trigger_type == TriggerType::scheduled);
  CHECK(e.scheduled_for == slot);
  CHECK(e.status == ExecutionStatus::completed);
  CHECK(e.trigger_data.at("replica") == "replica-a");
  auto after = fx.task(t.task_id);
  CHECK(after.status == TaskStatus::scheduled);
  CHECK(after.next_run_time == slot + kMinute);
  CHECK_FALSE(after.lease_owner);
  CHECK_THROWS_AS(fx.scheduler.run_due(t.task_id), Conflict);  // the next slot is not due
  // The loop does not run that slot again.
  fx.step_at(slot + std::chrono::seconds(30));
  CHECK(fx.runs(t.task_id).size() == 1);
  CHECK(fx.scheduler.metrics().runs_succeeded == 1);
}

TEST_CASE("scheduler: run_due follows the misfire policy and respects another replica's lease") {
  SchedulerFixture fx;
  auto skip = fx.create(fx.alice, R"({"name":"s","task_type":"data_backup",
      "schedule":{"type":"interval","interval_seconds":3600,"misfire":"skip"}})");
  auto once = fx.create(fx.alice, R"({"name":"o","task_type":"data_backup",
      "schedule":{"type":"once","run_at":"2026-11-26T09:00:00Z"}})");
  const auto slot = *skip.next_run_time;
  // Three hours late: the skip policy drops the due slot, so nothing runs and the schedule
  // moves on.
  fx.clock->set(slot + std::chrono::hours(3) + std::chrono::minutes(30));
  CHECK_THROWS_AS(fx.scheduler.run_due(skip.task_id), Conflict);
  CHECK(fx.runs(skip.task_id).empty());
  CHECK(fx.task(skip.task_id).next_run_time > fx.clock->now());
  CHECK(fx.scheduler.metrics().slots_skipped == 1);
  // A task another replica holds a live lease on is not started here.
  fx.repo->modify_task(once.task_id, [&](const Task& cur) -> std::optional<Change> {
    Change c;
    c.task = cur;
    c.task->lease_owner = "replica-b";
    c.task->lease_expires_at = fx.clock->now() + std::chrono::seconds(30);
    return c;
  });
  CHECK_THROWS_AS(fx.scheduler.run_due(once.task_id), Conflict);
  CHECK(fx.runs(once.task_id).empty());
  // Once that lease has expired, it runs, and a once schedule completes the task.
  fx.clock->advance(std::chrono::seconds(31));
  CHECK(fx.scheduler.run_due(once.task_id).status == ExecutionStatus::completed);
  CHECK(fx.task(once.task_id).status == TaskStatus::completed);
  CHECK_FALSE(fx.task(once.task_id).next_run_time);
}
