#include <catch2/catch.hpp>
#include <set>

#include "task/core/errors.hpp"
#include "task/rules/status.hpp"
#include "test_support.hpp"

using namespace task;
using task::test::J;
using task::test::T;

namespace {

const Timestamp kNow = T("2026-11-26T10:00:00Z");

Task base_task(TaskStatus s) {
  Task t;
  t.task_id = "tsk_1";
  t.user_id = "u";
  t.name = "n";
  t.task_type = TaskType::todo;
  t.status = s;
  t.created_at = t.updated_at = T("2026-11-01T00:00:00Z");
  return t;
}

UpdateTaskRequest patch(const char* body) {
  return parse_update_request(J(body), kNow);
}

}  // namespace

TEST_CASE("status transitions: every from x to pair against the §9 table", "[rules][status]") {
  using S = TaskStatus;
  const std::map<S, std::set<S>> allowed{
      {S::pending, {S::scheduled, S::paused, S::completed, S::cancelled}},
      {S::scheduled, {S::pending, S::paused, S::completed, S::cancelled}},
      {S::paused, {S::scheduled, S::pending, S::cancelled}},
      {S::failed, {S::scheduled, S::pending, S::completed, S::cancelled}},
      {S::completed, {S::pending}},
      {S::running, {S::cancelled}},
      {S::cancelled, {}},
  };
  int checked = 0;
  for (std::size_t f = 0; f < enum_count<S>(); ++f) {
    for (std::size_t t = 0; t < enum_count<S>(); ++t) {
      const auto from = static_cast<S>(f), to = static_cast<S>(t);
      INFO(to_string(from) << " -> " << to_string(to));
      const bool expected = allowed.at(from).count(to) > 0;
      CHECK(can_transition(from, to) == expected);
      // Through apply_update: allowed pairs move, same status is a no-op, the rest is 409.
      const auto task = base_task(from);
      const std::string body = "{\"status\":\"" + std::string(to_string(to)) + "\"}";
      if (from == to) {
        CHECK(apply_update(task, patch(body.c_str()), kNow).updated_fields.empty());
      } else if (expected) {
        const auto r = apply_update(task, patch(body.c_str()), kNow);
        CHECK(r.task.status == to);
        REQUIRE(r.status_change);
        CHECK(r.status_change->from == from);
        CHECK(r.status_change->to == to);
      } else {
        CHECK_THROWS_AS(apply_update(task, patch(body.c_str()), kNow), Conflict);
      }
      ++checked;
    }
  }
  CHECK(checked == 49);
}

TEST_CASE("executable statuses", "[rules][status]") {
  for (auto s : {TaskStatus::pending, TaskStatus::scheduled, TaskStatus::paused, TaskStatus::failed,
                 TaskStatus::completed})
    CHECK(is_executable(s));
  CHECK_FALSE(is_executable(TaskStatus::running));
  CHECK_FALSE(is_executable(TaskStatus::cancelled));
}

TEST_CASE("completing and reopening", "[rules][status]") {
  auto r = apply_update(base_task(TaskStatus::pending), patch(R"({"status":"completed"})"), kNow);
  CHECK(r.task.is_completed);
  CHECK(r.task.completed_at == kNow);
  CHECK(r.task.updated_at == kNow);
  r = apply_update(r.task, patch(R"({"status":"pending"})"), kNow);
  CHECK_FALSE(r.task.is_completed);
  CHECK_FALSE(r.task.completed_at);
  CHECK(r.updated_fields == std::vector<std::string>{"status"});
}

TEST_CASE("schedule set/cleared moves pending <-> scheduled", "[rules][status]") {
  auto r = apply_update(base_task(TaskStatus::pending),
                        patch(R"({"schedule":{"type":"interval","interval_seconds":120}})"), kNow);
  CHECK(r.task.status == TaskStatus::scheduled);
  REQUIRE(r.task.next_run_time);
  CHECK(r.status_change->reason == "schedule_set");
  CHECK(std::count(r.updated_fields.begin(), r.updated_fields.end(), "schedule") == 1);
  CHECK(std::count(r.updated_fields.begin(), r.updated_fields.end(), "status") == 1);
  // Same schedule again: nothing changes.
  const auto again =
      apply_update(r.task, patch(R"({"schedule":{"type":"interval","interval_seconds":120,
                                     "start_at":"2026-11-26T10:00:00Z"}})"),
                   kNow);
  CHECK(again.updated_fields.empty());
  const auto cleared = apply_update(r.task, patch(R"({"schedule":null})"), kNow);
  CHECK(cleared.task.status == TaskStatus::pending);
  CHECK_FALSE(cleared.task.schedule);
  CHECK_FALSE(cleared.task.next_run_time);
  CHECK(cleared.status_change->reason == "schedule_cleared");
  // A paused task keeps its status when its schedule changes.
  auto paused = r.task;
  paused.status = TaskStatus::paused;
  CHECK(apply_update(paused, patch(R"({"schedule":null})"), kNow).task.status ==
        TaskStatus::paused);
  // Clearing a schedule that is not there is no change.
  CHECK(apply_update(base_task(TaskStatus::pending), patch(R"({"schedule":null})"), kNow)
            .updated_fields.empty());
  // Explicit status wins over the implied one.
  const auto explicit_status = apply_update(
      base_task(TaskStatus::pending),
      patch(R"({"status":"paused","schedule":{"type":"interval","interval_seconds":60}})"), kNow);
  CHECK(explicit_status.task.status == TaskStatus::paused);
}

TEST_CASE("update: changed fields only; no change is empty", "[rules][update]") {
  auto t = base_task(TaskStatus::pending);
  t.description = "d";
  t.tags = {"a"};
  auto r = apply_update(t, patch(R"({"name":"n","description":"d","tags":["a"]})"), kNow);
  CHECK(r.updated_fields.empty());
  CHECK(r.task.updated_at == t.updated_at);
  r = apply_update(t,
                   patch(R"({"name":"m","description":null,"priority":"urgent","credits_per_run":2,
                               "tags":["b"],"metadata":{"k":1},"due_date":"2026-12-01T00:00:00Z",
                               "reminder_time":"2026-11-30T00:00:00Z","next_run_time":"2026-11-27T00:00:00Z"})"),
                   kNow);
  const std::set<std::string> fields(r.updated_fields.begin(), r.updated_fields.end());
  CHECK(
      (fields == std::set<std::string>{"name", "description", "priority", "credits_per_run", "tags",
                                       "metadata", "due_date", "reminder_time", "next_run_time"}));
  CHECK_FALSE(r.task.description);
  CHECK(r.task.priority == Priority::urgent);
  CHECK(r.task.due_date == T("2026-12-01T00:00:00Z"));
  CHECK_FALSE(r.status_change);
}

TEST_CASE("update: config re-validated against the task type", "[rules][update]") {
  auto t = base_task(TaskStatus::pending);
  t.task_type = TaskType::price_tracker;
  t.config = J(R"({"product_url":"https://x","target_price":5})").as_object();
  CHECK_THROWS_AS(apply_update(t, patch(R"({"config":{"product_url":"https://x"}})"), kNow),
                  ValidationError);
  const auto r =
      apply_update(t, patch(R"({"config":{"product_url":"https://x","target_price":4}})"), kNow);
  CHECK(r.task.config.at("target_price") == 4);
  CHECK(r.updated_fields == std::vector<std::string>{"config"});
}

TEST_CASE("update of a cancelled task: fields yes, status no", "[rules][update]") {
  const auto t = base_task(TaskStatus::cancelled);
  CHECK(apply_update(t, patch(R"({"name":"x"})"), kNow).task.name == "x");
  CHECK_THROWS_AS(apply_update(t, patch(R"({"status":"pending"})"), kNow), Conflict);
}

TEST_CASE("ETag and If-Match", "[rules][etag]") {
  auto t = base_task(TaskStatus::pending);
  t.version = 7;
  CHECK(etag_of(t) == "\"7\"");
  CHECK(if_match_matches("\"7\"", etag_of(t)));
  CHECK(if_match_matches("*", etag_of(t)));
  CHECK(if_match_matches("\"3\", W/\"7\"", etag_of(t)));
  CHECK_FALSE(if_match_matches("\"6\"", etag_of(t)));
  CHECK_FALSE(if_match_matches("7", etag_of(t)));
  CHECK_FALSE(if_match_matches("", etag_of(t)));
}
