// Pure parts of task-cli: schedule shorthand, durations, config pairs, bodies, exit codes, tables.
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "exit_codes.hpp"
#include "output.hpp"
#include "request_builder.hpp"
#include "task/codec/json_codec.hpp"
#include "task/core/errors.hpp"

namespace json = boost::json;
using namespace task::cli;

namespace {
std::string sched(std::string_view text, std::optional<std::string> tz = std::nullopt) {
  return task::to_json_text(parse_schedule_arg(text, tz));
}
}  // namespace

TEST_CASE("schedule shorthand becomes the API's schedule object") {
  CHECK(sched("cron:0 7 * * 1-5@Europe/Berlin") ==
        R"({"type":"cron","expression":"0 7 * * 1-5","timezone":"Europe/Berlin"})");
  CHECK(sched("0 9 * * 1-5") == R"({"type":"cron","expression":"0 9 * * 1-5"})");
  CHECK(sched("cron:@daily") == R"({"type":"cron","expression":"@daily"})");
  CHECK(sched("cron:@daily@UTC") == R"({"type":"cron","expression":"@daily","timezone":"UTC"})");
  CHECK(sched("daily:07:30@Asia/Tokyo") ==
        R"({"type":"daily","time":"07:30","timezone":"Asia/Tokyo"})");
  CHECK(sched("weekly:Monday@07:30") == R"({"type":"weekly","weekday":"monday","time":"07:30"})");
  CHECK(sched("weekly:3@07:30") == R"({"type":"weekly","weekday":3,"time":"07:30"})");
  CHECK(sched("monthly:31@23:00") == R"({"type":"monthly","day":31,"time":"23:00"})");
  CHECK(sched("once:2026-12-01T09:00") == R"({"type":"once","run_at":"2026-12-01T09:00"})");
  CHECK(sched("every:1h30m") == R"({"type":"interval","interval_seconds":5400})");
  CHECK(sched("daily:08:00", "Europe/Paris") ==
        R"({"type":"daily","time":"08:00","timezone":"Europe/Paris"})");
  CHECK(sched(R"({"type":"interval","interval_minutes":5})") ==
        R"({"type":"interval","interval_minutes":5})");
  CHECK_THROWS_AS(parse_schedule_arg("hourly"), UsageError);
  CHECK_THROWS_AS(parse_schedule_arg("weekly:monday"), UsageError);
  CHECK_THROWS_AS(parse_schedule_arg("{not json"), UsageError);
}

TEST_CASE("durations accept s/m/h/d units and combinations") {
  CHECK(parse_duration_seconds("90") == 90);
  CHECK(parse_duration_seconds("90s") == 90);
  CHECK(parse_duration_seconds("15m") == 900);
  CHECK(parse_duration_seconds("2h") == 7200);
  CHECK(parse_duration_seconds("1d") == 86400);
  CHECK(parse_duration_seconds("1h30m") == 5400);
  CHECK_THROWS_AS(parse_duration_seconds("15x"), UsageError);
  CHECK_THROWS_AS(parse_duration_seconds("m"), UsageError);
  CHECK_THROWS_AS(parse_duration_seconds("1h30"), UsageError);
  CHECK_THROWS_AS(parse_duration_seconds(""), UsageError);
}

TEST_CASE("config values are JSON when they parse, else text") {
  json::object c;
  apply_config_pairs(c, {"target_price=19.99", "location=Berlin", "keywords=[\"a\",\"b\"]",
                         "on=true", "empty=", "url=http://x/y?a=b"});
  CHECK(task::to_json_text(c) ==
        R"({"target_price":19.99,"location":"Berlin","keywords":["a","b"],"on":true,)"
        R"("empty":"","url":"http://x/y?a=b"})");
  CHECK_THROWS_AS(apply_config_pairs(c, {"novalue"}), UsageError);
  CHECK_THROWS_AS(apply_config_pairs(c, {"=x"}), UsageError);
}

TEST_CASE("add builds a create body with only the given fields") {
  TaskFields f;
  f.name = "Water plants";
  CHECK(task::to_json_text(build_create_body(f)) ==
        R"({"name":"Water plants","task_type":"todo"})");
  f.task_type = "price_tracker";
  f.every = "15m";
  f.tags = {"home", "x"};
  f.tags_given = true;
  f.config_json = R"({"product_url":"https://e.com","target_price":1})";
  f.config = {"target_price=2"};
  f.credits = 1.5;
  CHECK(task::to_json_text(build_create_body(f)) ==
        R"({"name":"Water plants","schedule":{"type":"interval","interval_seconds":900},)"
        R"("tags":["home","x"],"task_type":"price_tracker",)"
        R"("config":{"product_url":"https://e.com","target_price":2},"credits_per_run":1.5})");
  f.at = "2026-12-01T09:00";
  CHECK_THROWS_AS(build_create_body(f), UsageError);
}

TEST_CASE("edit merges --config into the current config and clears with null") {
  TaskFields f;
  f.config = {"location=Paris"};
  f.clear_due = true;
  f.clear_schedule = true;
  const json::object current{{"location", "Berlin"}, {"units", "metric"}};
  CHECK(task::to_json_text(build_update_body(f, current)) ==
        R"({"config":{"location":"Paris","units":"metric"},"schedule":null,"due_date":null})");
  TaskFields none;
  CHECK_THROWS_AS(build_update_body(none, {}), UsageError);
  TaskFields both;
  both.due = "2026-01-01";
  both.clear_due = true;
  CHECK_THROWS_AS(build_update_body(both, {}), UsageError);
}

TEST_CASE("errors map to documented exit codes and one-line messages") {
  auto report = [](auto&& e) { return describe_error(std::make_exception_ptr(e)); };
  auto v = report(task::ValidationError({"body", "name"}, "field required", "missing"));
  CHECK(v.exit_code == 3);
  CHECK(v.message == "name: field required");
  CHECK(report(task::NotFound("task", "tsk_1")).exit_code == 4);
  CHECK(report(task::Conflict("completed", "paused")).exit_code == 5);
  CHECK(report(task::PreconditionFailed("\"v2\"")).exit_code == 5);
  CHECK(report(task::LimitExceeded("tasks", 20)).exit_code == 6);
  CHECK(report(task::Unavailable("db down")).exit_code == 7);
  CHECK(report(task::PermissionDenied("scheduler")).exit_code == 8);
  CHECK(report(UsageError("bad")).exit_code == 2);
  CHECK(report(ConnectionError("refused")).exit_code == 7);
  CHECK(report(std::runtime_error("x\ny")).message == "x y");

  auto body = json::parse(
      R"({"detail":[{"loc":["body","schedule","expression"],"msg":"bad minute","type":"value_error"}]})");
  auto r = report(RemoteError(422, body, ""));
  CHECK(r.exit_code == 3);
  CHECK(r.message == "schedule.expression: bad minute");
  r = report(RemoteError(404, json::parse(R"({"detail":"Task not found","task_id":"tsk_9"})"), ""));
  CHECK(r.exit_code == 4);
  CHECK(r.message == "Task not found: tsk_9");
  r = report(RemoteError(
      409,
      json::parse(R"({"detail":"Invalid status transition","from":"cancelled","to":"paused"})"),
      ""));
  CHECK(r.exit_code == 5);
  CHECK(r.message == "Invalid status transition: cancelled -> paused");
  r = report(RemoteError(
      429, json::parse(R"({"detail":"Task limit exceeded","limit_type":"tasks","limit":5})"), ""));
  CHECK(r.exit_code == 6);
  CHECK(r.message == "Task limit exceeded (tasks, limit 5)");
  CHECK(exit_code_for_status(412) == 5);
  CHECK(exit_code_for_status(503) == 7);
  CHECK(exit_code_for_status(401) == 8);
  CHECK(exit_code_for_status(403) == 8);
  CHECK(exit_code_for_status(500) == 1);
}

TEST_CASE("output mode: table on a terminal, json when piped, explicit wins") {
  CHECK(resolve_output_mode(std::nullopt, true) == OutputMode::table);
  CHECK(resolve_output_mode(std::nullopt, false) == OutputMode::json);
  CHECK(resolve_output_mode(OutputMode::jsonl, true) == OutputMode::jsonl);
}

TEST_CASE("tables align columns by display width") {
  CHECK(render_table({"A", "BB"}, {{"xyz", "1"}, {"é", "22"}}) ==
        "A    BB\n"
        "xyz  1\n"
        "é    22\n");
  CHECK(cell_text(json::value(nullptr)) == "-");
  CHECK(cell_text(json::value("a\nb")) == "a b");
  CHECK(cell_text(json::parse(R"({"a":1.5})")) == R"({"a":1.5})");
}
