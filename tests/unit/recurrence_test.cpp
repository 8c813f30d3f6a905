/// Recurring todos (docs/api.md §16): the recurrence field's rules, the next-occurrence
/// arithmetic across DST in the six zones of the schedule tests (both anchors, the reminder's
/// offset kept), the end of a recurrence (max_runs, end_at), and completing one through
/// TaskService (task stays open, completion recorded, task.updated + task.completed events).
#include <catch2/catch.hpp>

#include "schedule_test_util.hpp"
#include "task/core/errors.hpp"
#include "task/rules/recurrence.hpp"
#include "test_support.hpp"

using namespace task;
using task::test::J;
using task::test::T;
using Strings = std::vector<std::string>;

namespace {

Recurrence make(const std::string& zone, const std::string& body, const char* anchor = "due") {
  const auto o = parse_recurrence(
      J((R"({"timezone":")" + zone + R"(",)" + body + R"(,"anchor":")" + anchor + "\"}").c_str()),
      T("2026-01-01T00:00:00Z"), {"body", "recurrence"});
  return read_recurrence(o, T("2026-01-01T00:00:00Z"));
}

std::vector<std::vector<std::string>> locs_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const ValidationError& e) {
    std::vector<std::vector<std::string>> out;
    for (const auto& f : e.errors)
      out.push_back(f.loc);
    return out;
  }
  return {};
}

}  // namespace

TEST_CASE("recurrence: next occurrence across DST in six zones, both anchors, reminder kept",
          "[recurrence][dst]") {
  for (const auto& d : sched_test::kDstDays) {
    for (const char* anchor : {"due", "completion"}) {
      INFO(d.zone << " " << d.daily_time << " anchor " << anchor);
      const auto r =
          make(d.zone, std::string(R"("type":"daily","time":")") + d.daily_time + "\"", anchor);
      const auto due = T(d.day_before);
      // completed on time (an hour after it was due), and early (an hour before)
      for (const auto done : {due + std::chrono::hours(1), due - std::chrono::hours(1)}) {
        const auto next = next_occurrence(r, due, done);
        REQUIRE(next);
        CHECK(format_rfc3339(*next) == d.on_day);
        // a reminder 90 minutes before the due date stays 90 minutes before it
        const auto reminder = moved_reminder(due - std::chrono::minutes(90), due, next);
        CHECK(reminder == *next - std::chrono::minutes(90));
        CHECK(format_rfc3339(*next_occurrence(r, *next, *next + std::chrono::minutes(5))) ==
              d.day_after);
      }
      // overdue by several days: the missed occurrences are skipped, not queued
      const auto late = T(d.day_after) - std::chrono::minutes(1);
      CHECK(format_rfc3339(*next_occurrence(r, due, late)) == d.day_after);
    }
  }
}

TEST_CASE("recurrence: intervals keep their grid (due) or restart at the completion",
          "[recurrence]") {
  const auto body = R"("type":"interval","interval_seconds":259200,)"
                    R"("start_at":"2026-03-01T08:00:00Z")";
  const auto by_due = make("Europe/Warsaw", body, "due");
  const auto by_done = make("Europe/Warsaw", body, "completion");
  const auto due = T("2026-03-04T08:00:00Z");
  const auto done = T("2026-03-05T19:20:30.250Z");
  CHECK(format_rfc3339(*next_occurrence(by_due, due, done)) == "2026-03-07T08:00:00Z");
  CHECK(format_rfc3339(*next_occurrence(by_done, due, done)) == "2026-03-08T19:20:30Z");
  // early: the due grid moves on from the due date; the completion restarts from now
  const auto early = T("2026-03-03T10:00:00Z");
  CHECK(format_rfc3339(*next_occurrence(by_due, due, early)) == "2026-03-07T08:00:00Z");
  CHECK(format_rfc3339(*next_occurrence(by_done, due, early)) == "2026-03-06T10:00:00Z");
  // an interval is absolute time: across Warsaw's spring-forward it stays 72 h
  const auto spring = T("2026-03-28T08:00:00Z");
  CHECK(*next_occurrence(by_due, spring, spring) - spring == std::chrono::hours(72));
}

TEST_CASE("recurrence: max_runs and end_at end it", "[recurrence]") {
  auto r = make("UTC", R"("type":"daily","time":"09:00","max_runs":3)");
  const auto due = T("2026-05-01T09:00:00Z");
  r.completed_count = 1;  // this completion is the 2nd of 3
  CHECK(next_occurrence(r, due, due) == T("2026-05-02T09:00:00Z"));
  r.completed_count = 2;  // the 3rd of 3: ended
  CHECK_FALSE(next_occurrence(r, due, due));
  const auto ending = make("UTC", R"("type":"weekly","weekday":"friday","time":"09:00",)"
                                  R"("end_at":"2026-05-10T00:00:00Z")");
  CHECK(next_occurrence(ending, T("2026-05-01T09:00:00Z"), T("2026-05-01T10:00:00Z")) ==
        T("2026-05-08T09:00:00Z"));
  CHECK_FALSE(next_occurrence(ending, T("2026-05-08T09:00:00Z"), T("2026-05-08T10:00:00Z")));
  CHECK_FALSE(moved_reminder(T("2026-05-08T08:00:00Z"), T("2026-05-08T09:00:00Z"), std::nullopt));
  CHECK_FALSE(moved_reminder(std::nullopt, T("2026-05-08T09:00:00Z"), T("2026-05-09T09:00:00Z")));
}

TEST_CASE("recurrence: the field's rules, with locations", "[recurrence][rules]") {
  const auto now = T("2026-01-01T00:00:00Z");
  const std::vector<std::string> loc{"body", "recurrence"};
  const auto norm = parse_recurrence(J(R"({"type":"daily","time":"9:05"})"), now, loc);
  CHECK(norm.at("anchor") == "due");
  CHECK(norm.at("completed_count") == 0);
  CHECK(norm.at("type") == "daily");
  CHECK(parse_recurrence(J(R"({"type":"cron","expression":"0 9 * * 1-5","anchor":"completion"})"),
                         now, loc)
            .at("anchor") == "completion");
  using Locs = std::vector<std::vector<std::string>>;
  CHECK(locs_of([&] {
          parse_recurrence(J(R"({"type":"once","run_at":"2026-02-01T00:00:00Z"})"), now, loc);
        }) == Locs{{"body", "recurrence", "type"}});
  CHECK(locs_of([&] {
          parse_recurrence(J(R"({"type":"daily","time":"09:00","anchor":"start"})"), now, loc);
        }) == Locs{{"body", "recurrence", "anchor"}});
  CHECK(locs_of([&] {
          parse_recurrence(J(R"({"type":"cron","expression":"61 * * * *","anchor":7})"), now, loc);
        }) == Locs{{"body", "recurrence", "anchor"}, {"body", "recurrence", "expression"}});
  CHECK(locs_of([&] { parse_recurrence(J(R"("daily")"), now, loc); }) ==
        Locs{{"body", "recurrence"}});
  CHECK(locs_of([&] { check_recurrence_fits(TaskType::data_backup, now); }) ==
        Locs{{"body", "recurrence"}});
  CHECK(locs_of([&] { check_recurrence_fits(TaskType::reminder, std::nullopt); }) ==
        Locs{{"body", "due_date"}});
  CHECK(locs_of([&] { check_recurrence_fits(TaskType::todo, now); }).empty());
}

TEST_CASE("recurrence: completing through the service records it and moves the todo on",
          "[recurrence][service]") {
  task::test::Fixture fx;  // clock at 2026-11-26T10:00:00Z
  const auto t = fx.create(fx.alice, R"({"name":"water plants","task_type":"todo",
      "due_date":"2026-11-26T09:00:00Z","reminder_time":"2026-11-26T08:30:00Z",
      "recurrence":{"type":"daily","time":"09:00","timezone":"Europe/Warsaw","max_runs":2}})");
  REQUIRE(t.recurrence);
  CHECK(t.recurrence->at("anchor") == "due");
  const auto before = fx.repo->fetch_outbox(1000).size();

  auto done = fx.service.update_task(fx.alice, t.task_id, J(R"({"status":"completed"})"), {});
  CHECK(done.task.status == TaskStatus::pending);
  CHECK_FALSE(done.task.is_completed);
  CHECK_FALSE(done.task.completed_at);
  CHECK(done.task.due_date == T("2026-11-27T08:00:00Z"));  // 09:00 CET
  CHECK(done.task.reminder_time == T("2026-11-27T07:30:00Z"));
  CHECK(done.task.recurrence->at("completed_count") == 1);
  CHECK(done.updated_fields == Strings{"due_date", "reminder_time", "recurrence"});
  const auto list = fx.service.list_completions(fx.alice, t.task_id, 100);
  REQUIRE(list.size() == 1);
  CHECK(list[0].due_date == T("2026-11-26T09:00:00Z"));
  CHECK(list[0].completed_at == T("2026-11-26T10:00:00Z"));
  CHECK(completion_json(list[0]) ==
        J(R"({"due_date":"2026-11-26T09:00:00Z","completed_at":"2026-11-26T10:00:00Z"})"));
  auto outbox = fx.repo->fetch_outbox(1000);
  REQUIRE(outbox.size() == before + 2);
  CHECK(outbox[before].event.type == "task.updated");
  const auto& completed = outbox[before + 1].event;
  CHECK(completed.type == "task.completed");
  const std::string want = R"({"task_id":")" + t.task_id +
                           R"(","user_id":"alice","due_date":"2026-11-26T09:00:00Z",)"
                           R"("completed_at":"2026-11-26T10:00:00Z",)"
                           R"("next_due_date":"2026-11-27T08:00:00Z"})";
  CHECK(completed.data == J(want.c_str()).as_object());

  // The 2nd of max_runs 2: the recurrence ends and the task closes as usual.
  fx.clock->advance(std::chrono::hours(24));
  done = fx.service.update_task(fx.alice, t.task_id, J(R"({"status":"completed"})"), {});
  CHECK(done.task.status == TaskStatus::completed);
  CHECK(done.task.is_completed);
  CHECK(done.task.due_date == T("2026-11-27T08:00:00Z"));
  REQUIRE(fx.service.list_completions(fx.alice, t.task_id, 100).size() == 2);
  outbox = fx.repo->fetch_outbox(1000);
  CHECK(outbox.back().event.type == "task.completed");
  CHECK(outbox.back().event.data.at("next_due_date").is_null());
  CHECK_THROWS_AS(fx.service.list_completions(fx.bob, t.task_id, 100), NotFound);

  // Validation at create and update, with field locations.
  CHECK_THROWS_AS(fx.create(fx.alice, R"({"name":"b","task_type":"data_backup",
      "due_date":"2026-11-27T09:00:00Z","recurrence":{"type":"daily","time":"09:00"}})"),
                  ValidationError);
  using Locs = std::vector<std::vector<std::string>>;
  CHECK(locs_of([&] {
          fx.create(fx.alice, R"({"name":"n","task_type":"todo",
              "recurrence":{"type":"daily","time":"09:00"}})");
        }) == Locs{{"body", "due_date"}});
  const auto plain = fx.create(fx.alice, R"({"name":"p","task_type":"todo"})");
  CHECK(locs_of([&] {
          fx.service.update_task(fx.alice, plain.task_id,
                                 J(R"({"recurrence":{"type":"daily","time":"09:00"}})"), {});
        }) == Locs{{"body", "due_date"}});
  const auto set = fx.service.update_task(
      fx.alice, plain.task_id,
      J(R"({"due_date":"2026-12-01T09:00:00Z","recurrence":{"type":"weekly","weekday":"monday",
          "time":"09:00","anchor":"completion"}})"),
      {});
  CHECK(set.task.recurrence->at("anchor") == "completion");
  const auto cleared =
      fx.service.update_task(fx.alice, plain.task_id, J(R"({"recurrence":null})"), {});
  CHECK_FALSE(cleared.task.recurrence);
  // Without a recurrence, completing closes the todo and records nothing.
  const auto closed =
      fx.service.update_task(fx.alice, plain.task_id, J(R"({"status":"completed"})"), {});
  CHECK(closed.task.status == TaskStatus::completed);
  CHECK(fx.service.list_completions(fx.alice, plain.task_id, 100).empty());
}
