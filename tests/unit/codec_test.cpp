#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "support/time.hpp"
#include "task/codec/json_codec.hpp"
#include "task/core/errors.hpp"

using namespace task;
namespace json = boost::json;
using task::testing::at;

namespace {

Task sample_task() {
  Task t;
  t.id = 42;
  t.task_id = "tsk_0123456789abcdef01234567";
  t.user_id = "user-1";
  t.name = "Morning weather";
  t.description = "ünïcode ✓";
  t.task_type = TaskType::daily_weather;
  t.status = TaskStatus::scheduled;
  t.priority = Priority::urgent;
  t.config = json::parse(R"({"location":"Berlin","units":{"temp":"C"}})").as_object();
  t.schedule =
      json::parse(R"({"type":"daily","time":"07:00","timezone":"Europe/Berlin"})").as_object();
  t.credits_per_run = 1.5;
  t.tags = {"weather", "daily"};
  t.metadata = json::parse(R"({"source":"test"})").as_object();
  t.next_run_time = at("2026-11-27T06:00:00Z");
  t.last_run_time = at("2026-11-26T06:00:00.000123Z");
  t.last_result = json::parse(R"({"temp":3.25})");
  t.last_error = "boom";
  t.run_count = 3;
  t.success_count = 2;
  t.failure_count = 1;
  t.total_credits_consumed = 3;
  t.due_date = at("2026-12-01T00:00:00Z");
  t.created_at = at("2026-11-01T10:00:00Z");
  t.updated_at = at("2026-11-26T06:00:01Z");
  return t;
}

}  // namespace

TEST_CASE("Task JSON uses the exact field names of the contract", "[codec]") {
  const auto v = json::value_from(sample_task());
  const auto& o = v.as_object();
  for (const char* key : {"id",
                          "task_id",
                          "user_id",
                          "name",
                          "description",
                          "task_type",
                          "status",
                          "priority",
                          "config",
                          "schedule",
                          "credits_per_run",
                          "tags",
                          "metadata",
                          "next_run_time",
                          "last_run_time",
                          "last_success_time",
                          "last_error",
                          "last_result",
                          "run_count",
                          "success_count",
                          "failure_count",
                          "total_credits_consumed",
                          "due_date",
                          "reminder_time",
                          "is_completed",
                          "completed_at",
                          "created_at",
                          "updated_at",
                          "deleted_at"}) {
    INFO(key);
    CHECK(o.contains(key));
  }
  CHECK(o.size() == 29);
  CHECK(o.at("priority") == "urgent");
  CHECK(o.at("last_run_time") == "2026-11-26T06:00:00.000123Z");
  CHECK(o.at("reminder_time").is_null());
  CHECK_FALSE(o.contains("version"));
}

TEST_CASE("Task, Execution, Template and Analytics round-trip through JSON", "[codec]") {
  const Task t = sample_task();
  const auto back = json::value_to<Task>(json::value_from(t));
  CHECK(json::value_from(back) == json::value_from(t));
  CHECK(back.last_run_time == t.last_run_time);
  CHECK(back.tags == t.tags);

  Execution e;
  e.id = 7;
  e.execution_id = "exe_0123456789abcdef01234567";
  e.task_id = t.task_id;
  e.user_id = t.user_id;
  e.status = ExecutionStatus::failed;
  e.trigger_type = TriggerType::scheduled;
  e.scheduled_for = at("2026-11-26T06:00:00Z");
  e.error_message = "timeout";
  e.error_details = json::parse(R"({"error_code":"TIMEOUT"})");
  e.tokens_used = 12;
  e.duration_ms = 10000;
  e.started_at = at("2026-11-26T06:00:00.5Z");
  e.completed_at = at("2026-11-26T06:00:10.5Z");
  e.created_at = e.started_at;
  const auto ev = json::value_from(e);
  CHECK(ev.as_object().size() == 18);
  CHECK(json::value_from(json::value_to<Execution>(ev)) == ev);

  Template tm;
  tm.template_id = "tpl_weather";
  tm.name = "Weather";
  tm.category = TemplateCategory::monitoring;
  tm.task_type = TaskType::daily_weather;
  tm.required_fields = {"location"};
  tm.required_subscription_level = SubscriptionLevel::pro;
  const auto tv = json::value_from(tm);
  CHECK(tv.as_object().size() == 17);
  CHECK(json::value_from(json::value_to<Template>(tv)) == tv);

  Analytics a;
  a.user_id = "u";
  a.time_period = "Last 30 days";
  a.success_rate = 66.67;
  a.task_types_distribution = {{"todo", 3}};
  a.busiest_hours = {9, 17};
  a.busiest_days = {"Monday"};
  const auto av = json::value_from(a);
  CHECK(json::value_from(json::value_to<Analytics>(av)) == av);
}

TEST_CASE("decoding reports the field that is wrong", "[codec]") {
  auto v = json::value_from(sample_task());
  v.as_object()["status"] = "sleeping";
  try {
    (void)json::value_to<Task>(v);
    FAIL("expected ValidationError");
  } catch (const ValidationError& e) {
    REQUIRE(e.errors.size() == 1);
    CHECK(e.errors[0].loc == std::vector<std::string>{"body", "status"});
    CHECK(e.errors[0].type == "enum");
  }
  v = json::value_from(sample_task());
  v.as_object()["created_at"] = "2026-02-30T00:00:00Z";
  CHECK_THROWS_AS(json::value_to<Task>(v), ValidationError);
  CHECK_THROWS_AS(json::value_to<Task>(json::value(3)), ValidationError);
}

TEST_CASE("CloudEvents envelope carries the §14 attributes and reads back", "[codec]") {
  Event e;
  e.id = "6f1c2a4e-0000-4000-8000-000000000001";
  e.type = "task.created";
  e.time = at("2026-11-26T22:00:00Z");
  e.task_id = "tsk_0123456789abcdef01234567";
  e.user_id = "u1";
  e.data = json::parse(R"({"task_id":"tsk_0123456789abcdef01234567","user_id":"u1"})").as_object();
  const auto env = to_cloudevent(e);
  CHECK(env.at("specversion") == "1.0");
  CHECK(env.at("source") == "task_service");
  CHECK(env.at("datacontenttype") == "application/json");
  CHECK(env.at("time") == "2026-11-26T22:00:00Z");
  CHECK(event_subject(e) == "task_service.task.created");
  const auto back = from_cloudevent(env);
  REQUIRE(back);
  CHECK(back->id == e.id);
  CHECK(back->task_id == e.task_id);
  CHECK(back->user_id == "u1");
  CHECK_FALSE(from_cloudevent(json::parse(R"({"specversion":"0.3"})")));
  CHECK_FALSE(from_cloudevent(json::value("x")));
}

TEST_CASE("plain number text", "[codec]") {
  CHECK(to_json_text(json::parse(R"({"a":1.5,"b":[2.0,3],"c":"x\"y"})")) ==
        R"({"a":1.5,"b":[2,3],"c":"x\"y"})");
}
