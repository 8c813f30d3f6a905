#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <random>

#include "support/time.hpp"
#include "task/codec/json_codec.hpp"
#include "task/codec/json_numbers.hpp"
#include "task/codec/json_text.hpp"
#include "task/core/errors.hpp"
#include "task/service/task_service.hpp"

using namespace task;
namespace json = boost::json;
using task::testing::at;

namespace {

// Records with every field set to a value other than its default.
Task full_task() {
  Task t;
  t.id = 42;
  t.task_id = "tsk_0123456789abcdef01234567";
  t.user_id = "user-1";
  t.name = "Morning weather";
  t.description = "d";
  t.task_type = TaskType::daily_weather;
  t.status = TaskStatus::paused;
  t.priority = Priority::urgent;
  t.config = json::parse(R"({"location":"Berlin","n":0.1})").as_object();
  t.schedule = json::parse(R"({"type":"daily","time":"07:00"})").as_object();
  t.credits_per_run = 1.5;
  t.tags = {"weather", "daily"};
  t.metadata = json::parse(R"({"source":"test"})").as_object();
  t.next_run_time = at("2026-11-27T06:00:00Z");
  t.last_run_time = at("2026-11-26T06:00:00.000123Z");
  t.last_success_time = at("2026-11-25T06:00:00Z");
  t.last_error = "boom";
  t.last_result = json::parse(R"({"temp":3.25,"big":1e300})");
  t.run_count = 3;
  t.success_count = 2;
  t.failure_count = 1;
  t.total_credits_consumed = 4.5;
  t.due_date = at("2026-12-01T00:00:00Z");
  t.reminder_time = at("2026-11-30T09:00:00Z");
  t.is_completed = true;
  t.completed_at = at("2026-11-28T10:00:00Z");
  t.recurrence = json::parse(R"({"type":"daily","time":"07:00","anchor":"due"})").as_object();
  t.created_at = at("2026-11-01T10:00:00Z");
  t.updated_at = at("2026-11-26T06:00:01Z");
  t.deleted_at = at("2026-11-29T00:00:00Z");
  t.version = 7;
  t.lease_owner = "replica-a";
  t.lease_expires_at = at("2026-11-26T06:01:00Z");
  t.reminder_sent_at = at("2026-11-30T09:00:01Z");
  return t;
}
// The full task as a still open one: unicode text, no reminder yet.
Task sample_task() {
  Task t = full_task();
  t.description = "ünïcode ✓";
  t.status = TaskStatus::scheduled;
  t.reminder_time.reset();
  t.is_completed = false;
  t.completed_at.reset();
  return t;
}
Execution full_execution() {
  Execution e;
  e.id = 7;
  e.execution_id = "exe_0123456789abcdef01234567";
  e.task_id = "tsk_0123456789abcdef01234567";
  e.user_id = "user-1";
  e.status = ExecutionStatus::failed;
  e.trigger_type = TriggerType::webhook;
  e.trigger_data = json::parse(R"({"hook":"x"})").as_object();
  e.scheduled_for = at("2026-11-26T06:00:00Z");
  e.result = json::parse(R"([1,2.5,"x"])");
  e.error_message = "timeout";
  e.error_details = json::parse(R"({"error_code":"TIMEOUT"})");
  e.credits_consumed = 2;
  e.tokens_used = 12;
  e.api_calls_made = 3;
  e.duration_ms = 10000;
  e.started_at = at("2026-11-26T06:00:00.5Z");
  e.completed_at = at("2026-11-26T06:00:10.5Z");
  e.created_at = at("2026-11-26T06:00:00.4Z");
  return e;
}
Template full_template() {
  Template t;
  t.id = 3;
  t.template_id = "tpl_weather";
  t.name = "Weather";
  t.description = "daily forecast";
  t.category = TemplateCategory::monitoring;
  t.task_type = TaskType::daily_weather;
  t.default_config = json::parse(R"({"units":"metric"})").as_object();
  t.required_fields = {"location"};
  t.optional_fields = {"units", "lang"};
  t.config_schema = json::parse(R"({"type":"object"})").as_object();
  t.required_subscription_level = SubscriptionLevel::pro;
  t.credits_per_run = 0.25;
  t.tags = {"weather"};
  t.metadata = json::parse(R"({"v":1})").as_object();
  t.is_active = false;
  t.created_at = at("2026-11-01T00:00:00Z");
  t.updated_at = at("2026-11-02T00:00:00Z");
  return t;
}
Analytics full_analytics() {
  Analytics a;
  a.user_id = "u";
  a.time_period = "Last 30 days";
  a.total_tasks = 10;
  a.active_tasks = 4;
  a.completed_tasks = 3;
  a.failed_tasks = 2;
  a.paused_tasks = 1;
  a.total_executions = 50;
  a.successful_executions = 40;
  a.failed_executions = 10;
  a.success_rate = 80;
  a.average_execution_time = 1.25;
  a.total_credits_consumed = 12.5;
  a.total_tokens_used = 900;
  a.total_api_calls = 60;
  a.task_types_distribution = {{"todo", 3}, {"daily_weather", 7}};
  a.busiest_hours = {9, 17};
  a.busiest_days = {"Monday", "Friday"};
  a.created_at = at("2026-11-26T00:00:00Z");
  return a;
}

// The wire text of the full records, as the earlier field-by-field codec wrote it: the
// codec derived from the field lists (task/domain/describe.hpp) must write the same bytes.
constexpr const char* kTaskText =
    R"({"id":42,"task_id":"tsk_0123456789abcdef01234567","user_id":"user-1","name":"Morning weather","description":"d","task_type":"daily_weather","status":"paused","priority":"urgent","config":{"location":"Berlin","n":0.1},"schedule":{"type":"daily","time":"07:00"},"credits_per_run":1.5,"tags":["weather","daily"],"metadata":{"source":"test"},"next_run_time":"2026-11-27T06:00:00Z","last_run_time":"2026-11-26T06:00:00.000123Z","last_success_time":"2026-11-25T06:00:00Z","last_error":"boom","last_result":{"temp":3.25,"big":1e+300},"run_count":3,"success_count":2,"failure_count":1,"total_credits_consumed":4.5,"due_date":"2026-12-01T00:00:00Z","reminder_time":"2026-11-30T09:00:00Z","is_completed":true,"completed_at":"2026-11-28T10:00:00Z","recurrence":{"type":"daily","time":"07:00","anchor":"due"},"created_at":"2026-11-01T10:00:00Z","updated_at":"2026-11-26T06:00:01Z","deleted_at":"2026-11-29T00:00:00Z"})";
constexpr const char* kExecutionText =
    R"({"id":7,"execution_id":"exe_0123456789abcdef01234567","task_id":"tsk_0123456789abcdef01234567","user_id":"user-1","status":"failed","trigger_type":"webhook","trigger_data":{"hook":"x"},"scheduled_for":"2026-11-26T06:00:00Z","result":[1,2.5,"x"],"error_message":"timeout","error_details":{"error_code":"TIMEOUT"},"credits_consumed":2,"tokens_used":12,"api_calls_made":3,"duration_ms":10000,"started_at":"2026-11-26T06:00:00.500000Z","completed_at":"2026-11-26T06:00:10.500000Z","created_at":"2026-11-26T06:00:00.400000Z"})";
constexpr const char* kTemplateText =
    R"({"id":3,"template_id":"tpl_weather","name":"Weather","description":"daily forecast","category":"monitoring","task_type":"daily_weather","default_config":{"units":"metric"},"required_fields":["location"],"optional_fields":["units","lang"],"config_schema":{"type":"object"},"required_subscription_level":"pro","credits_per_run":0.25,"tags":["weather"],"metadata":{"v":1},"is_active":false,"created_at":"2026-11-01T00:00:00Z","updated_at":"2026-11-02T00:00:00Z"})";
constexpr const char* kAnalyticsText =
    R"({"user_id":"u","time_period":"Last 30 days","total_tasks":10,"active_tasks":4,"completed_tasks":3,"failed_tasks":2,"paused_tasks":1,"total_executions":50,"successful_executions":40,"failed_executions":10,"success_rate":80,"average_execution_time":1.25,"total_credits_consumed":12.5,"total_tokens_used":900,"total_api_calls":60,"task_types_distribution":{"daily_weather":7,"todo":3},"busiest_hours":[9,17],"busiest_days":["Monday","Friday"],"created_at":"2026-11-26T00:00:00Z"})";
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
                          "recurrence",
                          "created_at",
                          "updated_at",
                          "deleted_at"}) {
    INFO(key);
    CHECK(o.contains(key));
  }
  CHECK(o.size() == 30);
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

  const auto ev = json::value_from(full_execution());
  CHECK(ev.as_object().size() == 18);
  CHECK(json::value_from(json::value_to<Execution>(ev)) == ev);

  const auto tv = json::value_from(full_template());
  CHECK(tv.as_object().size() == 17);
  CHECK(json::value_from(json::value_to<Template>(tv)) == tv);

  const auto av = json::value_from(full_analytics());
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

TEST_CASE("the wire text of every record is unchanged, and reads back to the same record",
          "[codec]") {
  CHECK(to_json_text(json::value_from(full_task())) == kTaskText);
  CHECK(to_json_text(json::value_from(full_execution())) == kExecutionText);
  CHECK(to_json_text(json::value_from(full_template())) == kTemplateText);
  CHECK(to_json_text(json::value_from(full_analytics())) == kAnalyticsText);

  // Read through the exact number reader, as request bodies and imports are.
  auto read = [](const char* text) {
    boost::system::error_code ec;
    auto v = parse_json(text, ec);
    REQUIRE_FALSE(ec);
    return v;
  };
  CHECK(to_json_text(json::value_from(json::value_to<Task>(read(kTaskText)))) == kTaskText);
  CHECK(to_json_text(json::value_from(json::value_to<Execution>(read(kExecutionText)))) ==
        kExecutionText);
  CHECK(to_json_text(json::value_from(json::value_to<Template>(read(kTemplateText)))) ==
        kTemplateText);
  CHECK(to_json_text(json::value_from(json::value_to<Analytics>(read(kAnalyticsText)))) ==
        kAnalyticsText);
  // 0.1 in config stays the nearest double (the exact reader), not a neighbour of it.
  CHECK(json::value_to<Task>(read(kTaskText)).config.at("n").as_double() == 0.1);
}

TEST_CASE("the text written straight from a record is the text of its json::value", "[codec]") {
  CHECK(to_json_text(full_task()) == kTaskText);
  CHECK(to_json_text(full_execution()) == kExecutionText);
  CHECK(to_json_text(sample_task()) == to_json_text(json::value_from(sample_task())));
  CHECK(to_json_text(Task{}) == to_json_text(json::value_from(Task{})));
  CHECK(to_json_text(Execution{}) == to_json_text(json::value_from(Execution{})));
  const std::vector<Execution> none;
  CHECK(to_json_text(none) == "[]");
  const std::vector<Execution> two{full_execution(), Execution{}};
  CHECK(to_json_text(two) ==
        std::string("[") + kExecutionText + "," + to_json_text(Execution{}) + "]");

  TaskList page;
  page.tasks = {full_task(), sample_task()};
  page.total = 12;
  page.limit = 2;
  page.offset = 4;
  page.next_cursor = "c\"ur";
  page.filters = json::parse(R"({"status":"paused","tags":["a"],"q":"x y"})").as_object();
  CHECK(to_json_text(page) == to_json_text(json::value_from(page)));
  page.next_cursor.reset();
  page.tasks.clear();
  page.filters = {};
  CHECK(to_json_text(page) == to_json_text(json::value_from(page)));

  // Every byte in the strings (quotes, backslashes, control characters, DEL, UTF-8) and in
  // object keys, doubles of every magnitude: escaped and written as Boost.JSON does.
  std::mt19937_64 rng(15);
  std::uniform_int_distribution<int> byte(0, 255), len(0, 12);
  const char* utf8[] = {"\xc3\xbc", "\xe2\x9c\x93", "\xf0\x9f\x98\x80"};
  auto text = [&] {
    std::string out;
    for (int i = len(rng); i > 0; --i) {
      const int b = byte(rng);
      if (b >= 0x80)
        out += utf8[b % 3];
      else
        out += static_cast<char>(b);
    }
    return out;
  };
  for (int round = 0; round < 300; ++round) {
    Task t = sample_task();
    t.name = text();
    t.description = text();
    t.tags = {text(), text()};
    t.last_error = text();
    t.config = json::object{{text(), text()}, {"n", std::ldexp(0.7 + round, round - 150)}};
    t.last_result = json::array{text(), round * -1.25, static_cast<std::int64_t>(round) << 40};
    t.credits_per_run = std::ldexp(1.0 / (round + 3), round % 60 - 30);
    INFO(round);
    REQUIRE(to_json_text(t) == to_json_text(json::value_from(t)));
    // The hand-written string, integer, boolean and null text is Boost.JSON's own.
    const json::value scalars = json::array{text(),
                                            json::object{{text(), nullptr}},
                                            static_cast<std::int64_t>(rng()),
                                            static_cast<std::uint64_t>(rng()),
                                            -static_cast<std::int64_t>(round),
                                            round % 2 == 0,
                                            nullptr};
    REQUIRE(to_json_text(scalars) == json::serialize(scalars));
  }
}

TEST_CASE("storage bookkeeping stays out of the wire form", "[codec]") {
  const auto o = json::value_from(full_task()).as_object();
  for (const char* key : {"version", "lease_owner", "lease_expires_at", "reminder_sent_at"}) {
    INFO(key);
    CHECK_FALSE(o.contains(key));
  }
  // Reading the wire form leaves them at their defaults.
  const Task back = json::value_to<Task>(json::value_from(full_task()));
  CHECK(back.version == 1);
  CHECK_FALSE(back.lease_owner);
  CHECK_FALSE(back.reminder_sent_at);
}

TEST_CASE("absent fields read as the record's defaults; required ones are reported", "[codec]") {
  auto v = json::value_from(full_template());
  auto& o = v.as_object();
  o.erase("is_active");
  o.erase("credits_per_run");
  o["tags"] = nullptr;
  const Template t = json::value_to<Template>(v);
  CHECK(t.is_active);  // Template{}.is_active
  CHECK(t.credits_per_run == 0);
  CHECK(t.tags.empty());

  for (const char* required : {"template_id", "name", "category", "created_at"}) {
    INFO(required);
    auto w = json::value_from(full_template());
    w.as_object().erase(required);
    try {
      (void)json::value_to<Template>(w);
      FAIL("expected ValidationError");
    } catch (const ValidationError& e) {
      REQUIRE(e.errors.size() == 1);
      CHECK(e.errors[0].loc == std::vector<std::string>{"body", required});
      CHECK(e.errors[0].type == "missing");
    }
  }
  auto w = json::value_from(full_analytics());
  w.as_object()["busiest_hours"] = json::array{9, "x"};
  CHECK_THROWS_AS(json::value_to<Analytics>(w), ValidationError);
}

TEST_CASE("enum names are the enumerators, listed once", "[codec]") {
  CHECK(enum_count<TaskType>() == 10);
  CHECK(to_string(TaskType::calendar_event) == "calendar_event");
  CHECK(to_string(SubscriptionLevel::free) == "free");
  CHECK(parse_enum<TemplateCategory>("alerts") == TemplateCategory::alerts);
  CHECK_FALSE(parse_enum<TaskStatus>("Paused"));
  for (std::size_t i = 0; i < enum_count<TaskStatus>(); ++i) {
    const auto s = static_cast<TaskStatus>(i);
    CHECK(parse_enum<TaskStatus>(to_string(s)) == s);
  }
}
