// Scheduler: misfire policies after an outage, max_runs/end_at, reminders, retries and recovery
// of runs whose worker died.
#include <catch2/catch.hpp>

#include "scheduler_support.hpp"

using namespace task;
using namespace task::test;
using Strings = std::vector<std::string>;

namespace {

const Micros kMinute = std::chrono::minutes(1);

std::string hourly(const char* misfire) {
  return std::string(R"({"name":"h","task_type":"data_backup","schedule":{"type":"cron",
      "expression":"0 * * * *","misfire":")") +
         misfire + R"("}})";
}

/// Steps at `t` until a round claims nothing (catch-up of run_all runs one slot per claim).
void drain(SchedulerFixture& fx, Timestamp t) {
  for (int i = 0; i < 200 && fx.step_at(t).claimed > 0; ++i) {
  }
}

}  // namespace

TEST_CASE("scheduler: misfire policies after a 3-hour outage") {
  SchedulerFixture fx;
  const auto t = fx.create(fx.alice, hourly(GENERATE("run_once", "skip", "run_all")).c_str());
  const std::string policy(t.schedule->at("misfire").as_string());
  fx.step_at(T("2026-11-26T10:00:00Z"));  // on time
  drain(fx, T("2026-11-26T13:30:00Z"));   // down from 10:00 to 13:30: 11, 12, 13 missed
  INFO(policy);
  const auto slots = fx.slots(t.task_id);
  if (policy == "run_once") CHECK(slots == Strings{"2026-11-26T10:00:00Z", "2026-11-26T13:00:00Z"});
  if (policy == "skip") CHECK(slots == Strings{"2026-11-26T10:00:00Z"});
  if (policy == "run_all")
    CHECK(slots == Strings{"2026-11-26T10:00:00Z", "2026-11-26T11:00:00Z", "2026-11-26T12:00:00Z",
                           "2026-11-26T13:00:00Z"});
  CHECK(fx.task(t.task_id).next_run_time == T("2026-11-26T14:00:00Z"));
  CHECK(fx.task(t.task_id).status == TaskStatus::scheduled);
  for (const auto& e : fx.runs(t.task_id))
    CHECK(e.trigger_type == TriggerType::scheduled);
}

TEST_CASE("scheduler: max_runs and end_at stop a schedule") {
  SchedulerFixture fx;
  auto capped = fx.create(fx.alice, R"({"name":"c","task_type":"data_backup",
      "schedule":{"type":"interval","interval_seconds":600,"max_runs":3}})");
  auto ending = fx.create(fx.alice, R"({"name":"e","task_type":"data_backup",
      "schedule":{"type":"cron","expression":"*/20 * * * *","end_at":"2026-11-26T10:50:00Z"}})");
  fx.walk(T("2026-11-26T12:00:00Z"), kMinute);
  CHECK(fx.slots(capped.task_id) ==
        Strings{"2026-11-26T10:00:00Z", "2026-11-26T10:10:00Z", "2026-11-26T10:20:00Z"});
  CHECK(fx.slots(ending.task_id) ==
        Strings{"2026-11-26T10:00:00Z", "2026-11-26T10:20:00Z", "2026-11-26T10:40:00Z"});
  for (const auto& id : {capped.task_id, ending.task_id}) {
    const auto after = fx.task(id);
    CHECK_FALSE(after.next_run_time);
    CHECK(after.status == TaskStatus::completed);
  }
}

TEST_CASE("scheduler: a reminder fires once at reminder_time") {
  SchedulerFixture fx;
  auto t = fx.create(fx.alice, R"({"name":"Call mum","task_type":"todo",
      "reminder_time":"2026-11-26T10:05:00Z","config":{}})");
  auto done = fx.create(fx.alice, R"({"name":"done","task_type":"todo",
      "reminder_time":"2026-11-26T10:05:00Z"})");
  fx.service.update_task(fx.alice, done.task_id, J(R"({"status":"completed"})"));
  CHECK(fx.step_at(T("2026-11-26T10:04:59Z")).reminders == 0);
  CHECK(fx.step_at(T("2026-11-26T10:05:00Z")).reminders == 1);
  fx.step_at(T("2026-11-26T10:06:00Z"));
  // A second replica over the same storage does not repeat it either.
  Scheduler other(fx.ports(), SchedulerFixture::options("replica-b"));
  CHECK(other.step(T("2026-11-26T10:07:00Z")).reminders == 0);

  REQUIRE(fx.notifier->sent().size() == 1);
  const auto sent = fx.notifier->sent();
  CHECK(sent[0].user_id == "alice");
  CHECK(sent[0].task_id == t.task_id);
  CHECK(sent[0].kind == "reminder");
  CHECK(fx.task(t.task_id).reminder_sent_at == T("2026-11-26T10:05:00Z"));
  int triggered = 0;
  for (const auto& e : fx.repo->fetch_outbox(1000))
    if (e.event.type == "task.reminder_triggered") {
      ++triggered;
      CHECK(e.event.task_id == t.task_id);
    }
  CHECK(triggered == 1);
}

TEST_CASE("scheduler: retries are attempts of the same slot") {
  SchedulerFixture fx;
  int failures_left = GENERATE(2, 5);
  fx.executor->behaviour = [&](const RunContext&) {
    if (failures_left-- > 0) return RunOutcome::fail("provider down", "PROVIDER_HTTP_STATUS");
    return RunOutcome::ok(boost::json::object{{"ok", true}});
  };
  auto t = fx.create(fx.alice, R"({"name":"r","task_type":"data_backup",
      "config":{"retry":{"max_attempts":3,"backoff_seconds":10,"exponential":true}},
      "schedule":{"type":"once","run_at":"2026-11-26T10:00:00Z"}})");
  const bool recovers = failures_left == 2;
  fx.step_at(T("2026-11-26T10:00:00Z"));
  const auto runs = fx.runs(t.task_id);
  REQUIRE(runs.size() == 1);  // one execution for the slot, whatever the attempts
  CHECK(runs[0].scheduled_for == T("2026-11-26T10:00:00Z"));
  CHECK(runs[0].trigger_data.at("attempts").as_int64() == 3);
  CHECK(fx.executor->calls == 3);
  CHECK(fx.clock->now() == T("2026-11-26T10:00:30Z"));  // backoff 10 s, then 20 s
  CHECK(fx.scheduler.metrics().retries == 2);
  const auto after = fx.task(t.task_id);
  CHECK(after.run_count == 1);
  if (recovers) {
    CHECK(runs[0].status == ExecutionStatus::completed);
    CHECK(after.status == TaskStatus::completed);
  } else {
    CHECK(runs[0].status == ExecutionStatus::failed);
    CHECK(runs[0].error_details.at("attempts").as_int64() == 3);
    CHECK(after.status == TaskStatus::failed);
  }
}

TEST_CASE("scheduler: a run whose worker died is closed as failed after its lease expires") {
  SchedulerFixture fx;
  auto t = fx.create(fx.alice, R"({"name":"d","task_type":"data_backup",
      "schedule":{"type":"cron","expression":"*/10 * * * *"}})");
  // Replica B claims the 10:00 slot, starts the run and dies: the state it leaves behind.
  {
    fx.repo->modify_task(t.task_id, [&](const Task& cur) -> std::optional<Change> {
      Change ch;
      ch.task = cur;
      ch.task->status = TaskStatus::running;
      ch.task->next_run_time = T("2026-11-26T10:10:00Z");
      ch.task->lease_owner = "replica-b";
      ch.task->lease_expires_at = T("2026-11-26T10:01:15Z");
      Execution e;
      e.execution_id = "exe_lost";
      e.task_id = cur.task_id;
      e.user_id = cur.user_id;
      e.trigger_type = TriggerType::scheduled;
      e.trigger_data = {{"replica", "replica-b"}};
      e.scheduled_for = T("2026-11-26T10:00:00Z");
      e.started_at = T("2026-11-26T10:00:00Z");
      ch.executions.push_back(e);
      return ch;
    });
  }
  // Before the lease expires nobody touches it.
  CHECK(fx.step_at(T("2026-11-26T10:01:00Z")).claimed == 0);
  CHECK(fx.repo->find_execution("exe_lost")->status == ExecutionStatus::running);
  // After it expires, replica A recovers: the lost run is closed, the schedule goes on.
  CHECK(fx.step_at(T("2026-11-26T10:01:16Z")).runs == 1);
  const auto lost = *fx.repo->find_execution("exe_lost");
  CHECK(lost.status == ExecutionStatus::failed);
  CHECK(lost.error_message == "worker lost: lease expired before the run finished");
  CHECK(lost.error_details.at("error_code").as_string() == "WORKER_LOST");
  CHECK(lost.error_details.at("lease_owner") == "replica-b");
  CHECK(lost.error_details.at("recovered_by") == "replica-a");
  auto after = fx.task(t.task_id);
  CHECK(after.status == TaskStatus::scheduled);
  CHECK(after.failure_count == 1);
  CHECK(after.next_run_time == T("2026-11-26T10:10:00Z"));
  CHECK_FALSE(after.lease_owner);
  CHECK(fx.scheduler.metrics().leases_expired == 1);
  fx.walk(T("2026-11-26T10:21:00Z"), kMinute);  // steps at hh:mm:16
  CHECK(fx.slots(t.task_id) ==
        Strings{"2026-11-26T10:00:00Z", "2026-11-26T10:10:00Z", "2026-11-26T10:20:00Z"});
  CHECK(fx.executor->calls == 2);  // the lost slot is not run again
}

TEST_CASE("scheduler: a run that is still going is not recovered by another replica") {
  SchedulerFixture fx;
  auto t = fx.create(fx.alice, R"({"name":"d","task_type":"data_backup",
      "schedule":{"type":"once","run_at":"2026-11-26T10:00:00Z"}})");
  Scheduler other(fx.ports(), SchedulerFixture::options("replica-b"));
  fx.executor->behaviour = [&](const RunContext&) {
    // While replica A runs it (lease = timeout + margin), replica B finds nothing to do.
    CHECK(other.step(T("2026-11-26T10:00:30Z")).claimed == 0);
    return RunOutcome::ok(nullptr);
  };
  fx.step_at(T("2026-11-26T10:00:00Z"));
  CHECK(fx.executor->calls == 1);
  CHECK(fx.runs(t.task_id).size() == 1);
}

TEST_CASE("scheduler: a type without an executor fails its run clearly") {
  SchedulerFixture fx;
  fx.executors->erase(TaskType::data_backup);
  auto t = fx.create(fx.alice, R"({"name":"d","task_type":"data_backup",
      "schedule":{"type":"once","run_at":"2026-11-26T10:00:00Z"}})");
  fx.step_at(T("2026-11-26T10:00:00Z"));
  const auto runs = fx.runs(t.task_id);
  REQUIRE(runs.size() == 1);
  CHECK(runs[0].status == ExecutionStatus::failed);
  CHECK(runs[0].error_details.at("error_code").as_string() == "PROVIDER_NOT_CONFIGURED");
}

TEST_CASE("scheduler: a manual run whose process died is recovered after its lease expires") {
  SchedulerFixture fx;
  const auto t = fx.create(fx.alice, R"({"name":"m","task_type":"todo"})");
  const auto started = fx.service.start_execution(fx.alice, t.task_id, ExecuteRequest{});
  auto during = fx.task(t.task_id);
  CHECK(during.status == TaskStatus::running);
  REQUIRE(during.lease_owner);
  CHECK(*during.lease_owner == "manual:" + started.execution.execution_id);
  CHECK(during.lease_expires_at == fx.clock->now() + std::chrono::minutes(15));

  // The process "dies" here: finish_execution is not called. Within the lease nothing happens.
  const auto t0 = fx.clock->now();
  fx.step_at(t0 + std::chrono::minutes(10));
  CHECK(fx.task(t.task_id).status == TaskStatus::running);
  // After it, a scheduler closes the run as lost and lets go of the task.
  fx.step_at(t0 + std::chrono::minutes(16));
  const auto lost = *fx.repo->find_execution(started.execution.execution_id);
  CHECK(lost.status == ExecutionStatus::failed);
  CHECK(lost.error_details.at("error_code") == "WORKER_LOST");
  CHECK(lost.error_details.at("lease_owner").as_string() ==
        "manual:" + started.execution.execution_id);
  CHECK(lost.error_details.at("recovered_by") == "replica-a");
  auto after = fx.task(t.task_id);
  CHECK(after.status == TaskStatus::failed);
  CHECK_FALSE(after.lease_owner);
  CHECK(fx.scheduler.metrics().leases_expired == 1);

  // A late finish of that run does not overwrite the recorded outcome.
  const auto late = fx.service.finish_execution(started);
  CHECK(late.execution.status == ExecutionStatus::failed);
  CHECK(fx.repo->find_execution(started.execution.execution_id)->status == ExecutionStatus::failed);
  CHECK(fx.task(t.task_id).version == after.version);
  // The task can be run again.
  const auto again = fx.service.execute(fx.alice, t.task_id, ExecuteRequest{});
  CHECK(again.execution.status == ExecutionStatus::completed);
  CHECK_FALSE(fx.task(t.task_id).lease_owner);
}
