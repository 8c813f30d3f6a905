// The HTTP contract (docs/api.md §3–§11) against the in-process server over a real database.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <regex>
#include <thread>

#include "consul.hpp"
#include "error_table.hpp"
#include "http_fixture.hpp"
#include "support/stub_server.hpp"
#include "task/core/errors.hpp"
#include "task/core/time.hpp"

namespace json = boost::json;
using test::as_user;
using test::body_json;
using test::ServerUnderTest;

namespace {

httplib::Headers internal(const std::string& user = "") {
  httplib::Headers h{{"X-Internal-Service", "true"},
                     {"X-Internal-Service-Secret", "test-internal-secret"}};
  if (!user.empty()) h.emplace("X-User-ID", user);
  return h;
}

std::string create_todo(httplib::Client& c, const std::string& user, const std::string& name) {
  auto r = c.Post("/api/v1/tasks", as_user(user),
                  json::serialize(json::object{{"name", name}, {"task_type", "todo"}}),
                  "application/json");
  REQUIRE(r);
  REQUIRE(r->status == 201);
  return std::string(body_json(r).at("task_id").as_string());
}

std::string detail_of(const httplib::Result& r) {
  const auto v = body_json(r);
  return v.at("detail").is_string() ? std::string(v.at("detail").as_string()) : "";
}

}  // namespace

TEST_CASE("health, metrics and request ids", "[http]") {
  auto c = test::webhook_server().client();
  auto r = c.Get("/health");
  REQUIRE(r->status == 200);
  auto v = body_json(r);
  CHECK(v.at("status") == "healthy");
  CHECK(v.at("service") == "task_service");
  CHECK(v.at("port").as_int64() == test::webhook_server().port());
  CHECK(r->get_header_value("X-Request-ID").size() == 32);

  r = c.Get("/health", {{"X-Request-ID", "req-abc.123"}});
  CHECK(r->get_header_value("X-Request-ID") == "req-abc.123");
  // W3C traceparent: a new trace when none is given; the caller's trace id when one is.
  CHECK(std::regex_match(r->get_header_value("traceparent"),
                         std::regex("00-[0-9a-f]{32}-[0-9a-f]{16}-01")));
  r = c.Get("/health",
            {{"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}});
  CHECK(r->get_header_value("traceparent").rfind("00-4bf92f3577b34da6a3ce929d0e0e4736-", 0) == 0);
  CHECK(r->get_header_value("traceparent") !=
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  r = c.Get("/health", {{"traceparent", "00-not-a-trace"}});  // malformed: a new trace
  CHECK(std::regex_match(r->get_header_value("traceparent"),
                         std::regex("00-[0-9a-f]{32}-[0-9a-f]{16}-01")));
  r = c.Get("/definitely/not/a/route", {{"X-Request-ID", "req-404"}});
  CHECK(r->status == 404);
  CHECK(r->get_header_value("X-Request-ID") == "req-404");
  CHECK(detail_of(r) == "Not Found");

  r = c.Get("/health/detailed");
  REQUIRE(r->status == 200);
  v = body_json(r);
  CHECK(v.at("components").at("database").at("status") == "healthy");
  CHECK(v.at("components").at("database").as_object().contains("latency_ms"));
  CHECK(v.at("components").as_object().contains("event_bus"));
  CHECK(v.at("components").as_object().contains("scheduler"));

  r = c.Get("/metrics");
  REQUIRE(r->status == 200);
  CHECK(r->body.find("task_http_requests_total{method=\"GET\",route=\"/health\",status=\"200\"}") !=
        std::string::npos);
  CHECK(r->body.find("task_http_request_duration_seconds_bucket{route=\"/health\",status_class="
                     "\"2xx\",le=\"+Inf\"}") != std::string::npos);
  CHECK(r->body.find("task_database_up 1") != std::string::npos);
  CHECK(r->body.find("# TYPE task_outbox_oldest_age_seconds gauge") != std::string::npos);
  CHECK(r->body.find("# TYPE task_scheduler_lag_seconds gauge") != std::string::npos);
}

TEST_CASE("every served route is in the OpenAPI document", "[http]") {
  auto c = test::webhook_server().client();
  auto r = c.Get("/openapi.json");
  REQUIRE(r->status == 200);
  const auto doc = body_json(r);
  CHECK(std::string(doc.at("openapi").as_string()).rfind("3.", 0) == 0);
  const auto& paths = doc.at("paths").as_object();
  for (const auto& route : test::webhook_server().http().routes()) {
    const auto space = route.find(' ');
    std::string method = route.substr(0, space);
    const auto path = route.substr(space + 1);
    for (auto& ch : method)
      ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    INFO("route " << route);
    REQUIRE(paths.contains(path));
    CHECK(paths.at(path).as_object().contains(method));
  }
}

TEST_CASE("task lifecycle: create, get, list, update, delete", "[http]") {
  auto c = test::webhook_server().client();
  const auto alice = test::unique_user("alice");
  auto r = c.Post("/api/v1/tasks", as_user(alice),
                  R"({"name":"  Buy milk ","task_type":"todo","priority":"high","tags":["home"],
                      "due_date":"2030-01-02T03:04:05+01:00","unknown_field":1})",
                  "application/json");
  REQUIRE(r->status == 201);
  auto task = body_json(r);
  const std::string id(task.at("task_id").as_string());
  CHECK(std::regex_match(id, std::regex("tsk_[0-9a-f]{24}")));
  CHECK(task.at("name") == "Buy milk");
  CHECK(task.at("status") == "pending");
  CHECK(task.at("due_date") == "2030-01-02T02:04:05Z");
  CHECK(!r->get_header_value("ETag").empty());

  r = c.Get("/api/v1/tasks/" + id, as_user(alice));
  REQUIRE(r->status == 200);
  CHECK(body_json(r).at("priority") == "high");
  const auto etag = r->get_header_value("ETag");

  create_todo(c, alice, "Second");
  create_todo(c, alice, "Third");
  r = c.Get("/api/v1/tasks?limit=2", as_user(alice));
  REQUIRE(r->status == 200);
  auto page = body_json(r);
  CHECK(page.at("count") == 2);
  CHECK(page.at("total") == 3);
  CHECK(page.at("limit") == 2);
  REQUIRE(page.at("next_cursor").is_string());
  r = c.Get("/api/v1/tasks?limit=2&cursor=" + std::string(page.at("next_cursor").as_string()),
            as_user(alice));
  REQUIRE(r->status == 200);
  CHECK(body_json(r).at("count") == 1);
  r = c.Get("/api/v1/tasks?priority=high&tag=home", as_user(alice));
  CHECK(body_json(r).at("total") == 1);

  // If-Match: a stale ETag is 412, the current one works.
  r = c.Put("/api/v1/tasks/" + id, {{"X-User-ID", alice}, {"If-Match", "\"v999\""}},
            R"({"name":"Buy oat milk"})", "application/json");
  CHECK(r->status == 412);
  r = c.Put("/api/v1/tasks/" + id, {{"X-User-ID", alice}, {"If-Match", etag}},
            R"({"name":"Buy oat milk","status":"completed"})", "application/json");
  REQUIRE(r->status == 200);
  task = body_json(r);
  CHECK(task.at("name") == "Buy oat milk");
  CHECK(task.at("is_completed") == true);
  CHECK(r->get_header_value("ETag") != etag);
  r = c.Put("/api/v1/tasks/" + id, as_user(alice), R"({"status":"pending"})", "application/json");
  REQUIRE(r->status == 200);
  CHECK(body_json(r).at("is_completed") == false);

  r = c.Delete("/api/v1/tasks/" + id, as_user(alice));
  REQUIRE(r->status == 200);
  CHECK(body_json(r) ==
        json::parse(R"({"message":"Task deleted successfully","task_id":")" + id + "\"}"));
  r = c.Delete("/api/v1/tasks/" + id, as_user(alice));
  CHECK(r->status == 404);
  r = c.Get("/api/v1/tasks/" + id, as_user(alice));
  CHECK(r->status == 404);
}

TEST_CASE("ownership: another user's task is 404", "[http]") {
  auto c = test::webhook_server().client();
  const auto alice = test::unique_user("owner-a");
  const auto bob = test::unique_user("owner-b");
  const auto id = create_todo(c, alice, "private");
  auto r = c.Get("/api/v1/tasks/" + id, as_user(bob));
  REQUIRE(r->status == 404);
  CHECK(body_json(r) == json::parse(R"({"detail":"Task not found","task_id":")" + id + "\"}"));
  CHECK(c.Put("/api/v1/tasks/" + id, as_user(bob), R"({"name":"x"})", "application/json")->status ==
        404);
  CHECK(c.Delete("/api/v1/tasks/" + id, as_user(bob))->status == 404);
  CHECK(c.Post("/api/v1/tasks/" + id + "/execute", as_user(bob), "", "application/json")->status ==
        404);
  CHECK(c.Get("/api/v1/tasks/" + id + "/executions", as_user(bob))->status == 404);
  CHECK(body_json(c.Get("/api/v1/tasks", as_user(bob))).at("total") == 0);
  // An internal caller may act for alice.
  CHECK(c.Get("/api/v1/tasks/" + id, internal(alice))->status == 200);
}

TEST_CASE("authentication in gateway mode", "[http]") {
  auto c = test::webhook_server().client();
  auto r = c.Get("/api/v1/tasks");
  REQUIRE(r->status == 401);
  CHECK(body_json(r) == json::parse(R"({"detail":"Authentication required"})"));
  r = c.Get("/api/v1/tasks", as_user(std::string(256, 'u')));
  CHECK(r->status == 401);
  r = c.Get(
      "/api/v1/tasks",
      {{"X-Internal-Service", "true"}, {"X-Internal-Service-Secret", "wrong"}, {"X-User-ID", "x"}});
  REQUIRE(r->status == 403);
  CHECK(detail_of(r) == "Permission denied");
}

TEST_CASE("validation errors are 422 with locations", "[http]") {
  auto c = test::webhook_server().client();
  const auto u = test::unique_user("val");
  auto r =
      c.Post("/api/v1/tasks", as_user(u), R"({"name":"x","task_type":"todo")", "application/json");
  REQUIRE(r->status == 422);
  auto d = body_json(r).at("detail").as_array();
  CHECK(d.at(0).at("loc") == json::parse(R"(["body"])"));
  CHECK(d.at(0).at("type") == "json_invalid");

  r = c.Post("/api/v1/tasks", as_user(u), R"({"task_type":"todo"})", "application/json");
  REQUIRE(r->status == 422);
  CHECK(body_json(r).at("detail").at(0).at("loc") == json::parse(R"(["body","name"])"));
  r = c.Post("/api/v1/tasks", as_user(u), R"({"name":"n","task_type":"nope"})", "application/json");
  CHECK(r->status == 422);
  r = c.Post("/api/v1/tasks", as_user(u), R"({"name":"n","task_type":"custom","config":{}})",
             "application/json");
  CHECK(r->status == 422);
  CHECK(c.Get("/api/v1/tasks?status=bogus", as_user(u))->status == 422);
  CHECK(c.Get("/api/v1/tasks?limit=0", as_user(u))->status == 422);
  CHECK(c.Get("/api/v1/tasks?limit=101", as_user(u))->status == 422);
  CHECK(c.Get("/api/v1/analytics?days=0", as_user(u))->status == 422);
  const auto id = create_todo(c, u, "t");
  r = c.Post("/api/v1/tasks/" + id + "/execute?wait_ms=-1", as_user(u), "", "application/json");
  REQUIRE(r->status == 422);
  CHECK(body_json(r).at("detail").at(0).at("loc") == json::parse(R"(["query","wait_ms"])"));
  r = c.Put("/api/v1/tasks/" + id, as_user(u), R"({"task_type":"custom"})", "application/json");
  CHECK(r->status == 422);
}

TEST_CASE("bodies over 1 MiB are 413 with a JSON body", "[http]") {
  auto c = test::webhook_server().client();
  std::string big = R"({"name":"x","task_type":"todo","description":")" +
                    std::string(1024 * 1024 + 10, 'a') + "\"}";
  auto r = c.Post("/api/v1/tasks", as_user("big"), big, "application/json");
  REQUIRE(r);
  CHECK(r->status == 413);
  CHECK(body_json(r) == json::parse(R"({"detail":"Request body too large"})"));
  CHECK(!r->get_header_value("X-Request-ID").empty());
}

TEST_CASE("status transitions: invalid ones are 409", "[http]") {
  auto c = test::webhook_server().client();
  const auto u = test::unique_user("trans");
  const auto id = create_todo(c, u, "t");
  REQUIRE(c.Put("/api/v1/tasks/" + id, as_user(u), R"({"status":"cancelled"})", "application/json")
              ->status == 200);
  auto r = c.Put("/api/v1/tasks/" + id, as_user(u), R"({"status":"pending"})", "application/json");
  REQUIRE(r->status == 409);
  CHECK(body_json(r) ==
        json::parse(R"({"detail":"Invalid status transition","from":"cancelled","to":"pending"})"));
  r = c.Post("/api/v1/tasks/" + id + "/execute", as_user(u), "", "application/json");
  CHECK(r->status == 409);
}

TEST_CASE("manual execution of a todo and its history", "[http]") {
  auto c = test::webhook_server().client();
  const auto u = test::unique_user("exec");
  const auto id = create_todo(c, u, "run me");
  auto r = c.Post("/api/v1/tasks/" + id + "/execute", as_user(u), "", "application/json");
  REQUIRE(r->status == 200);
  auto e = body_json(r);
  CHECK(e.at("status") == "completed");
  CHECK(e.at("trigger_type") == "manual");
  CHECK(e.at("result").at("notification").at("channel") == "event");
  r = c.Post("/api/v1/tasks/" + id + "/execute", as_user(u),
             R"({"trigger_type":"webhook","trigger_data":{"k":1}})", "application/json");
  REQUIRE(r->status == 200);
  r = c.Get("/api/v1/tasks/" + id + "/executions?limit=1", as_user(u));
  REQUIRE(r->status == 200);
  CHECK(r->get_header_value("X-Total-Count") == "2");
  CHECK(body_json(r).as_array().size() == 1);
  CHECK(body_json(r).at(0).at("trigger_type") == "webhook");
  auto t = body_json(c.Get("/api/v1/tasks/" + id, as_user(u)));
  CHECK(t.at("run_count") == 2);
  CHECK(t.at("success_count") == 2);
  CHECK(c.Get("/api/v1/tasks/" + id + "/executions?limit=500", as_user(u))->status == 422);

  r = c.Get("/api/v1/analytics?days=7", as_user(u));
  REQUIRE(r->status == 200);
  auto a = body_json(r);
  CHECK(a.at("total_executions") == 2);
  CHECK(a.at("time_period") == "Last 7 days");
}

TEST_CASE("webhook run against a loopback stub", "[http]") {
  task::testing::StubServer stub;
  std::string seen_body;
  std::string seen_traceparent;
  stub.server().Post("/hook", [&](const httplib::Request& req, httplib::Response& res) {
    seen_body = req.body;
    seen_traceparent = req.get_header_value("traceparent");
    res.set_content(R"({"ok":true})", "application/json");
  });
  stub.server().Post("/fail",
                     [](const httplib::Request&, httplib::Response& res) { res.status = 500; });
  stub.start();

  auto c = test::webhook_server().client();
  const auto u = test::unique_user("hook");
  const auto base = stub.url();
  auto r = c.Post("/api/v1/tasks", as_user(u),
                  json::serialize(json::object{{"name", "hook"},
                                               {"task_type", "custom"},
                                               {"credits_per_run", 2},
                                               {"config", {{"url", base + "/hook"}}}}),
                  "application/json");
  REQUIRE(r->status == 201);
  const std::string id(body_json(r).at("task_id").as_string());
  // W3C trace context: the run's webhook call continues the request's trace.
  auto h = as_user(u);
  h.emplace("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
  r = c.Post("/api/v1/tasks/" + id + "/execute", h, "", "application/json");
  REQUIRE(r->status == 200);
  CHECK(seen_traceparent.rfind("00-0af7651916cd43dd8448eb211c80319c-", 0) == 0);
  CHECK(seen_traceparent.find("b7ad6b7169203331") == std::string::npos);  // our span, not theirs
  CHECK(seen_traceparent == r->get_header_value("traceparent"));
  auto e = body_json(r);
  CHECK(e.at("status") == "completed");
  CHECK(e.at("result").at("status_code") == 200);
  CHECK(e.at("result").at("body") == json::parse(R"({"ok":true})"));
  CHECK(e.at("credits_consumed") == 2);
  CHECK(json::parse(seen_body).at("task_id").as_string() == id);

  r = c.Post(
      "/api/v1/tasks", as_user(u),
      json::serialize(json::object{
          {"name", "fails"}, {"task_type", "custom"}, {"config", {{"url", base + "/fail"}}}}),
      "application/json");
  const std::string bad(body_json(r).at("task_id").as_string());
  r = c.Post("/api/v1/tasks/" + bad + "/execute", as_user(u), "", "application/json");
  REQUIRE(r->status == 200);
  e = body_json(r);
  CHECK(e.at("status") == "failed");
  CHECK(e.at("error_details").at("error_code") == "WEBHOOK_HTTP_STATUS");

  // The free server refuses private targets.
  auto fc = test::tier_server("free").client();
  r = fc.Post("/api/v1/tasks", as_user(u),
              json::serialize(json::object{
                  {"name", "x"}, {"task_type", "custom"}, {"config", {{"url", base + "/hook"}}}}),
              "application/json");
  REQUIRE(r->status == 201);
  const std::string blocked(body_json(r).at("task_id").as_string());
  r = fc.Post("/api/v1/tasks/" + blocked + "/execute", as_user(u), "", "application/json");
  REQUIRE(r->status == 200);
  CHECK(body_json(r).at("error_details").at("error_code") == "WEBHOOK_TARGET_FORBIDDEN");
  stub.stop();
}

TEST_CASE("templates: list, create from template, gating, unknown", "[http]") {
  auto c = test::webhook_server().client();
  const auto u = test::unique_user("tpl");
  auto r = c.Get("/api/v1/templates", as_user(u));
  REQUIRE(r->status == 200);
  CHECK(body_json(r).as_array().size() >= 10);
  r = c.Get("/api/v1/templates?category=productivity", as_user(u));
  const auto productivity = body_json(r);
  for (const auto& t : productivity.as_array())
    CHECK(t.at("category") == "productivity");
  r = c.Post("/api/v1/tasks/from-template", as_user(u), R"({"template_id":"tpl_todo","name":"T"})",
             "application/json");
  REQUIRE(r->status == 201);
  CHECK(body_json(r).at("task_type") == "todo");
  r = c.Post("/api/v1/tasks/from-template", as_user(u), R"({"template_id":"tpl_nope"})",
             "application/json");
  REQUIRE(r->status == 404);
  CHECK(body_json(r) == json::parse(R"({"detail":"Template not found","template_id":"tpl_nope"})"));
  r = c.Post("/api/v1/tasks/from-template", as_user(u), R"({"template_id":"tpl_reminder"})",
             "application/json");
  CHECK(r->status == 422);  // required reminder_time missing

  auto fc = test::tier_server("free").client();
  r = fc.Post("/api/v1/tasks/from-template", as_user(u),
              R"({"template_id":"tpl_custom_webhook","config":{"url":"https://example.com"}})",
              "application/json");
  REQUIRE(r->status == 403);
  CHECK(body_json(r) ==
        json::parse(R"({"detail":"Subscription upgrade required","required_level":"basic"})"));
}

TEST_CASE("quotas: tasks and executions per day are 429 at the tier limit", "[http]") {
  auto c = test::tier_server("free").client();
  const auto u = test::unique_user("quota");
  std::string first;
  for (int i = 0; i < 5; ++i) {
    auto id = create_todo(c, u, "t" + std::to_string(i));
    if (i == 0) first = id;
  }
  auto r = c.Post("/api/v1/tasks", as_user(u), R"({"name":"sixth","task_type":"todo"})",
                  "application/json");
  REQUIRE(r->status == 429);
  CHECK(body_json(r) ==
        json::parse(R"({"detail":"Task limit exceeded","limit_type":"tasks","limit":5})"));
  CHECK(r->get_header_value("Retry-After") == "60");
  for (int i = 0; i < 10; ++i)
    REQUIRE(
        c.Post("/api/v1/tasks/" + first + "/execute", as_user(u), "", "application/json")->status ==
        200);
  r = c.Post("/api/v1/tasks/" + first + "/execute", as_user(u), "", "application/json");
  REQUIRE(r->status == 429);
  CHECK(body_json(r).at("limit_type") == "executions_per_day");
  {  // Retry-After: the seconds until the next UTC midnight (docs/api.md §16)
    const auto now = std::chrono::system_clock::now();
    const auto left = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::floor<std::chrono::days>(now) + std::chrono::days{1} - now)
                          .count();
    REQUIRE(r->has_header("Retry-After"));
    const auto given = std::stoll(r->get_header_value("Retry-After"));
    CHECK(given >= 1);
    CHECK(given <= 86400);
    CHECK(std::abs(given - left) <= 5);
  }
  CHECK(body_json(r).at("limit") == 10);
}

TEST_CASE("scheduler/pending: an array with the number due in X-Total-Count", "[http]") {
  auto c = test::webhook_server().client();  // its scheduler is off: due tasks stay due
  const auto u = test::unique_user("pending");
  const auto soon = std::chrono::system_clock::now() + std::chrono::seconds(1);
  const auto run_at = task::format_rfc3339(std::chrono::time_point_cast<task::Micros>(soon));
  for (int i = 0; i < 3; ++i) {
    auto r =
        c.Post("/api/v1/tasks", as_user(u),
               json::serialize(json::object{{"name", "due " + std::to_string(i)},
                                            {"task_type", "daily_news"},
                                            {"schedule", {{"type", "once"}, {"run_at", run_at}}}}),
               "application/json");
    REQUIRE(r->status == 201);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1300));
  auto r = c.Get("/api/v1/scheduler/pending?limit=2", internal());
  REQUIRE(r->status == 200);
  REQUIRE(body_json(r).is_array());
  CHECK(body_json(r).as_array().size() == 2);
  CHECK(body_json(r).as_array()[0].as_object().contains("task_id"));
  REQUIRE(r->has_header("X-Total-Count"));
  CHECK(std::stoll(r->get_header_value("X-Total-Count")) >= 3);
  // A repeated parameter: the last one counts, for the page and for the count alike.
  r = c.Get("/api/v1/scheduler/pending?limit=9&limit=2", internal());
  REQUIRE(r->status == 200);
  CHECK(body_json(r).as_array().size() == 2);
  CHECK(std::stoll(r->get_header_value("X-Total-Count")) >= 3);
  CHECK(c.Get("/api/v1/scheduler/running?limit=0&limit=5", internal())->status == 200);
  CHECK(c.Get("/api/v1/scheduler/running?limit=5&limit=0", internal())->status == 422);
}

TEST_CASE("internal endpoints", "[http]") {
  auto c = test::webhook_server().client();
  const auto u = test::unique_user("int");
  auto r = c.Get("/api/v1/scheduler/pending", as_user(u));
  REQUIRE(r->status == 403);
  CHECK(detail_of(r) == "Permission denied");
  CHECK(c.Get("/api/v1/service/stats", as_user(u))->status == 403);
  CHECK(c.Get("/api/v1/scheduler/pending")->status == 401);
  r = c.Get("/api/v1/scheduler/pending?limit=5", internal());
  REQUIRE(r->status == 200);
  // docs/api.md §16: the earlier service's shape, an array, with the number due in X-Total-Count.
  REQUIRE(body_json(r).is_array());
  CHECK(body_json(r).as_array().size() <= 5);
  REQUIRE(r->has_header("X-Total-Count"));
  CHECK(std::stoll(r->get_header_value("X-Total-Count")) >=
        static_cast<long long>(body_json(r).as_array().size()));
  CHECK(c.Get("/api/v1/scheduler/pending?limit=0", internal())->status == 422);
  r = c.Get("/api/v1/service/stats", internal());
  REQUIRE(r->status == 200);
  CHECK(body_json(r).at("tasks").at("total").as_int64() >= 0);
  const auto id = create_todo(c, u, "not scheduled");
  r = c.Post("/api/v1/scheduler/execute/" + id, internal(), "", "application/json");
  CHECK(r->status == 409);
}

TEST_CASE("internal execute runs a due slot through the scheduler", "[http]") {
  // The scheduler loop is off, so only the endpoint runs the task.
  ServerUnderTest server(
      std::map<std::string, std::string>{{"database-url", "memory:"}, {"scheduler", "off"}});
  auto c = server.client();
  const auto u = test::unique_user("due");
  auto r = c.Post("/api/v1/tasks", as_user(u),
                  R"({"name":"once in the past","task_type":"todo",
                      "schedule":{"type":"once","run_at":"2026-01-01T00:00:00Z"}})",
                  "application/json");
  REQUIRE(r->status == 201);
  const auto id = std::string(body_json(r).at("task_id").as_string());
  CHECK(c.Post("/api/v1/scheduler/execute/" + id, as_user(u), "", "application/json")->status ==
        403);
  r = c.Post("/api/v1/scheduler/execute/" + id, internal(), "", "application/json");
  REQUIRE(r->status == 200);
  const auto run = body_json(r);
  CHECK(run.at("message") == "Task executed");
  CHECK(run.at("status") == "completed");
  const auto execution_id = std::string(run.at("execution_id").as_string());
  r = c.Get("/api/v1/tasks/" + id + "/executions", as_user(u));
  REQUIRE(r->status == 200);
  const auto list = body_json(r);
  const auto& first = list.at(0);
  CHECK(first.at("execution_id").as_string() == execution_id);
  CHECK(first.at("trigger_type") == "scheduled");
  CHECK(first.at("scheduled_for") == "2026-01-01T00:00:00Z");
  CHECK(body_json(c.Get("/api/v1/tasks/" + id, as_user(u))).at("status") == "completed");
  // The once slot has run: nothing is due any more.
  CHECK(c.Post("/api/v1/scheduler/execute/" + id, internal(), "", "application/json")->status ==
        409);
  CHECK(c.Post("/api/v1/scheduler/execute/tsk_000000000000000000000000", internal(), "",
               "application/json")
            ->status == 404);
}

TEST_CASE("JWT mode: valid, expired, bad signature", "[http]") {
  ServerUnderTest server(std::map<std::string, std::string>{{"jwt-secret", "jwt-test-secret"},
                                                            {"database-url", "memory:"}});
  auto c = server.client();
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  const auto good = test::make_hs256(
      "jwt-test-secret", {{"sub", "jwt-user"}, {"exp", now + 600}, {"subscription_level", "free"}});
  auto r = c.Get("/api/v1/tasks", {{"Authorization", "Bearer " + good}});
  CHECK(r->status == 200);
  r = c.Post("/api/v1/tasks/from-template", {{"Authorization", "Bearer " + good}},
             R"({"template_id":"tpl_custom_webhook","config":{"url":"https://example.com"}})",
             "application/json");
  CHECK(r->status == 403);  // the claim says free

  const auto expired = test::make_hs256("jwt-test-secret", {{"sub", "jwt-user"}, {"exp", now - 5}});
  r = c.Get("/api/v1/tasks", {{"Authorization", "Bearer " + expired}});
  REQUIRE(r->status == 401);
  CHECK(body_json(r) == json::parse(R"({"detail":"Invalid token"})"));
  const auto not_yet = test::make_hs256("jwt-test-secret", {{"sub", "u"}, {"nbf", now + 600}});
  CHECK(c.Get("/api/v1/tasks", {{"Authorization", "Bearer " + not_yet}})->status == 401);
  const auto forged = test::make_hs256("another-secret", {{"sub", "jwt-user"}});
  CHECK(c.Get("/api/v1/tasks", {{"Authorization", "Bearer " + forged}})->status == 401);
  CHECK(c.Get("/api/v1/tasks", {{"Authorization", "Bearer not.a.jwt"}})->status == 401);
  r = c.Get("/api/v1/tasks", as_user("jwt-user"));  // X-User-ID alone is not enough
  REQUIRE(r->status == 401);
  CHECK(detail_of(r) == "Authentication required");
  CHECK(c.Get("/api/v1/tasks", internal("jwt-user"))->status == 200);
}

namespace {

/// True when the 422 body of `r` has an error at `loc` (JSON array text) of `type`.
bool has_422(const httplib::Result& r, const char* loc, const char* type) {
  REQUIRE(r);
  INFO("body: " << r->body);
  if (r->status != 422) return false;
  const auto body = body_json(r);
  for (const auto& e : body.at("detail").as_array())
    if (e.at("loc") == json::parse(loc) && e.at("type") == type) return true;
  return false;
}

}  // namespace

TEST_CASE("CR/LF in a webhook's method or headers and dates outside 0001-9999 are 422s", "[http]") {
  auto c = test::webhook_server().client();
  const auto u = test::unique_user("inject");
  const auto create = [&](json::object body) {
    return c.Post("/api/v1/tasks", as_user(u), json::serialize(body), "application/json");
  };
  const json::object hook{{"url", "http://127.0.0.1:9/hook"}};
  auto with = [&](const char* key, json::value v) {
    auto cfg = hook;
    cfg[key] = std::move(v);
    return json::object{{"name", "w"}, {"task_type", "custom"}, {"config", cfg}};
  };
  CHECK(has_422(create(with("method", "POST / HTTP/1.1\r\nX-Injected: 1\r\n\r\nGET")),
                R"(["body","config","method"])", "enum"));
  CHECK(has_422(create(with("method", "CONNECT")), R"(["body","config","method"])", "enum"));
  CHECK(has_422(create(with("headers", {{"X-A", "v\r\nX-Injected: 1"}})),
                R"(["body","config","headers","X-A"])", "header_value"));
  // A NUL is refused for every string of a body (string_nul, docs/api.md "Numbers in JSON")
  // before the webhook rules see it; the header rule itself is in the unit tier.
  CHECK(has_422(create(with("headers", {{"X-A", std::string("a\0b", 3)}})),
                R"(["body","config","headers","X-A"])", "string_nul"));
  CHECK(has_422(create(with("headers", {{"Bad Name", "v"}})),
                R"(["body","config","headers","Bad Name"])", "header_name"));
  // From a template, and on update, the same rules hold.
  auto r = c.Post("/api/v1/tasks/from-template", as_user(u),
                  json::serialize(json::object{
                      {"template_id", "tpl_custom_webhook"},
                      {"config", {{"url", "https://example.com"}, {"method", "GET\r\nX: 1"}}}}),
                  "application/json");
  CHECK(r->status == 422);
  r = create(with("method", "patch"));
  REQUIRE(r->status == 201);
  const std::string id(body_json(r).at("task_id").as_string());
  json::object bad_cfg = hook;
  bad_cfg["headers"] = {{"X-A", "v\nX-B: 1"}};
  CHECK(has_422(c.Put("/api/v1/tasks/" + id, as_user(u),
                      json::serialize(json::object{{"config", bad_cfg}}), "application/json"),
                R"(["body","config","headers","X-A"])", "header_value"));
  // Nothing was lost: the task still has its valid config.
  r = c.Get("/api/v1/tasks/" + id, as_user(u));
  CHECK(body_json(r).at("config").at("method") == "patch");

  // Dates: every input bounded to years 0001-9999 (UTC), with the location.
  const json::object todo{{"name", "d"}, {"task_type", "todo"}};
  auto dated = [&](const char* key, const char* value) {
    auto b = todo;
    b[key] = value;
    return b;
  };
  CHECK(has_422(create(dated("due_date", "0000-12-31T00:00:00Z")), R"(["body","due_date"])",
                "datetime_range"));
  CHECK(has_422(create(dated("due_date", "9999-12-31T23:59:59-01:00")), R"(["body","due_date"])",
                "datetime_range"));
  CHECK(has_422(create(dated("due_date", "10000-01-01T00:00:00Z")), R"(["body","due_date"])",
                "datetime_parsing"));
  CHECK(create(dated("due_date", "9999-12-31T23:59:59Z"))->status == 201);
  CHECK(create(dated("due_date", "0001-01-01T00:00:00Z"))->status == 201);
  auto sched = todo;
  sched["schedule"] = {{"type", "once"}, {"run_at", "0000-01-01T00:00:00Z"}};
  r = create(sched);
  REQUIRE(r->status == 422);
  CHECK(body_json(r).at("detail").at(0).at("loc").as_array().back() == "run_at");
  r = c.Put("/api/v1/tasks/" + id, as_user(u), R"({"due_date":"-001-12-31T00:00:00Z"})",
            "application/json");
  CHECK(has_422(r, R"(["body","due_date"])", "datetime_parsing"));
  r = c.Get("/api/v1/tasks?due_before=0000-06-01T00:00:00Z", as_user(u));
  CHECK(has_422(r, R"(["query","due_before"])", "datetime_range"));
}

TEST_CASE("JWT exp/nbf/iat are RFC 7519 NumericDates: numbers, possibly fractional", "[http]") {
  // issue 12 #6: a float exp was refused while a string or float nbf was accepted.
  ServerUnderTest server(std::map<std::string, std::string>{{"jwt-secret", "jwt-test-secret"},
                                                            {"database-url", "memory:"}});
  auto c = server.client();
  const double now = static_cast<double>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                             std::chrono::system_clock::now().time_since_epoch())
                                             .count()) /
                     1000.0;
  const auto status = [&](json::object claims) {
    claims["sub"] = "nd-user";
    const auto token = test::make_hs256("jwt-test-secret", claims);
    auto r = c.Get("/api/v1/tasks", {{"Authorization", "Bearer " + token}});
    REQUIRE(r);
    return r->status;
  };
  CHECK(status({{"exp", now + 600.5}}) == 200);
  CHECK(status({{"exp", now - 0.5}}) == 401);
  CHECK(status({{"exp", 1e300}}) == 200);
  CHECK(status({{"nbf", now - 10.25}, {"iat", now - 10.25}}) == 200);
  CHECK(status({{"nbf", now + 600.5}}) == 401);
  CHECK(status({{"nbf", static_cast<std::int64_t>(now) - 5}}) == 200);
  CHECK(status({{"iat", static_cast<std::int64_t>(now)}}) == 200);
  for (const char* claim : {"exp", "nbf", "iat"}) {
    INFO(claim);
    CHECK(status({{claim, std::to_string(static_cast<std::int64_t>(now) + 600)}}) == 401);
    CHECK(status({{claim, true}}) == 401);
    CHECK(status({{claim, nullptr}}) == 401);
    CHECK(status({{claim, json::array{now + 600}}}) == 401);
    CHECK(status({{claim, json::object{{"t", now + 600}}}}) == 401);
  }
}

TEST_CASE("error table: Retry-After of the daily execution quota is until UTC midnight", "[http]") {
  using task::server::map_error;
  const auto at = [](const char* text) {
    return std::chrono::system_clock::time_point(*task::parse_rfc3339(text));
  };
  const auto daily = std::make_exception_ptr(task::LimitExceeded("executions_per_day", 10));
  CHECK(map_error(daily, at("2026-03-01T23:59:30Z")).retry_after == 30);
  CHECK(map_error(daily, at("2026-03-01T00:00:00Z")).retry_after == 86400);
  CHECK(map_error(daily, at("2026-03-01T23:59:59.5Z")).retry_after == 1);
  CHECK(map_error(daily, at("2026-03-01T12:00:00Z")).status == 429);
  const auto tasks = std::make_exception_ptr(task::LimitExceeded("tasks", 5));
  CHECK(map_error(tasks).retry_after == task::server::kDefaultRetryAfterSeconds);
  CHECK(map_error(std::make_exception_ptr(task::NotFound("task", "x"))).retry_after == 0);
}

TEST_CASE("error table rows that need a broken dependency", "[http]") {
  using task::server::map_error;
  auto unavailable = map_error(std::make_exception_ptr(task::Unavailable("db down: secret")));
  CHECK(unavailable.status == 503);
  CHECK(json::value(unavailable.body) == json::parse(R"({"detail":"Service unavailable"})"));
  auto boom = map_error(std::make_exception_ptr(std::runtime_error("pointer 0xdead in foo.cpp")));
  CHECK(boom.status == 500);
  CHECK(json::value(boom.body) == json::parse(R"({"detail":"Internal server error"})"));
  CHECK(boom.internal);
  auto denied = map_error(std::make_exception_ptr(task::PermissionDenied("scheduler")));
  CHECK(denied.status == 403);
  CHECK(map_error(std::make_exception_ptr(task::Conflict("running", "running"))).status == 409);
}

TEST_CASE("with a NATS URL every write's events are relayed and acknowledged", "[http][events]") {
  const char* nats = std::getenv("TASK_TEST_NATS_URL");
  if (!nats || !*nats) {
    WARN("TASK_TEST_NATS_URL not set: runs in the http_postgresql test (services fixture)");
    return;
  }
  ServerUnderTest server(std::map<std::string, std::string>{{"nats-url", nats}});
  auto c = server.client();
  create_todo(c, "relay-user-" + std::to_string(std::rand()), "relayed");
  json::object bus;
  for (int i = 0; i < 100; ++i) {  // the relay publishes in the background: poll up to 5 s
    auto r = c.Get("/health/detailed");
    REQUIRE(r);
    bus = body_json(r).at("components").at("event_bus").as_object();
    if (bus.at("connected").as_bool() && bus.at("outbox_backlog").as_int64() == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(bus.at("kind") == "nats");
  CHECK(bus.at("connected").as_bool());
  CHECK(bus.at("jetstream").as_bool());
  CHECK(bus.at("outbox_backlog").as_int64() == 0);
  CHECK(bus.at("status") == "healthy");
}

TEST_CASE("Consul agent address: CONSUL_HTTP_ADDR or CONSUL_HOST/CONSUL_PORT", "[http]") {
  using task::server::consul_agent_from;
  std::string host, error;
  int port = 0;
  CHECK_FALSE(consul_agent_from("", "", "8500", host, port, error));  // not configured
  CHECK(error.empty());
  REQUIRE(consul_agent_from("", "consul.internal", "8501", host, port, error));
  CHECK(host == "consul.internal");
  CHECK(port == 8501);
  REQUIRE(consul_agent_from("http://127.0.0.1:8600/", "ignored", "1", host, port, error));
  CHECK(host == "127.0.0.1");
  CHECK(port == 8600);
  REQUIRE(consul_agent_from("agent", "", "", host, port, error));
  CHECK(port == 8500);
  CHECK_FALSE(consul_agent_from("", "consul", "85x0", host, port, error));
  CHECK(error.find("'85x0' is not a port number") != std::string::npos);
  CHECK_FALSE(consul_agent_from("https://consul:8501", "", "", host, port, error));
  CHECK(error.find("https is not supported") != std::string::npos);
}
