// docs/api.md §16 against the in-process server: GET /api/v1/tasks/{id}/upcoming,
// POST /api/v1/schedules/preview (bad inputs with their field locations), recurring todos
// (create, complete, GET /api/v1/tasks/{id}/completions, 422s) on SQLite and PostgreSQL.
#include <algorithm>
#include <catch2/catch.hpp>
#include <map>

#include "http_fixture.hpp"

namespace json = boost::json;
using test::as_user;
using test::body_json;

namespace {

/// The `loc` lists of a 422 body.
std::vector<json::value> locs(const httplib::Result& r) {
  REQUIRE(r);
  INFO(r->body);
  REQUIRE(r->status == 422);
  std::vector<json::value> out;
  const auto body = body_json(r);
  for (const auto& d : body.at("detail").as_array())
    out.push_back(d.at("loc"));
  return out;
}

}  // namespace

TEST_CASE("upcoming: count bounds, unknown and foreign tasks, runs as the scheduler will run",
          "[http][upcoming]") {
  auto c = test::tier_server("enterprise").client();
  const auto user = test::unique_user("up");
  const auto t = test::create_task(c, user,
                                   R"({"name":"u","task_type":"data_backup",
      "schedule":{"type":"daily","time":"02:30","timezone":"Europe/Warsaw","max_runs":3}})");
  const std::string id(t.at("task_id").as_string());
  const auto base = "/api/v1/tasks/" + id + "/upcoming";
  auto ok = body_json(c.Get(base + "?count=100", as_user(user)));
  CHECK(ok.at("task_id") == json::value(id));
  CHECK(ok.at("timezone") == "Europe/Warsaw");
  REQUIRE(ok.at("runs").as_array().size() == 3);  // max_runs
  CHECK(ok.at("runs").as_array()[0].at("at") == t.at("next_run_time"));
  CHECK(body_json(c.Get(base + "?count=1", as_user(user))).at("runs").as_array().size() == 1);
  for (const char* q : {"?count=0", "?count=101", "?count=ten", "?count=", "?count=1.5"}) {
    INFO(q);
    CHECK(locs(c.Get(base + q, as_user(user))) == std::vector<json::value>{{"query", "count"}});
  }
  CHECK(c.Get("/api/v1/tasks/tsk_000000000000000000000000/upcoming", as_user(user))->status == 404);
  CHECK(c.Get(base, as_user(test::unique_user("other")))->status == 404);
  CHECK(c.Get(base)->status == 401);
}

TEST_CASE("preview: defaults, from, and 422s under body.count / body.schedule / body.from",
          "[http][upcoming]") {
  auto c = test::tier_server("enterprise").client();
  auto post = [&](const std::string& body) {
    return c.Post("/api/v1/schedules/preview", as_user("pv"), body, "application/json");
  };
  auto j = body_json(post(
      R"({"schedule":{"type":"interval","interval_seconds":5400,"start_at":"2026-01-01T00:00:00Z"},)"
      R"("from":"2026-01-01T01:00:00Z","count":2})"));
  CHECK(j.at("runs") ==
        json::parse(R"([{"at":"2026-01-01T01:30:00Z","local":"2026-01-01T01:30:00+00:00"},
      {"at":"2026-01-01T03:00:00Z","local":"2026-01-01T03:00:00+00:00"}])"));
  const std::string daily = R"("schedule":{"type":"daily","time":"07:00"})";
  for (const char* count : {"0", "101", "\"x\"", "1.5", "true", "-3"}) {
    INFO(count);
    CHECK(locs(post("{" + daily + R"(,"count":)" + count + "}")) ==
          std::vector<json::value>{{"body", "count"}});
  }
  CHECK(locs(post("{" + daily + R"(,"from":"tomorrow"})")) ==
        std::vector<json::value>{{"body", "from"}});
  CHECK(locs(post(R"({"count":5})")) == std::vector<json::value>{{"body", "schedule"}});
  auto both = locs(post(R"({"schedule":{"type":"weekly","weekday":"someday","time":"25:00"}})"));
  std::sort(both.begin(), both.end(), [](const json::value& a, const json::value& b) {
    return json::serialize(a) < json::serialize(b);
  });
  CHECK(both ==
        std::vector<json::value>{{"body", "schedule", "time"}, {"body", "schedule", "weekday"}});
  CHECK(locs(post(R"({"schedule":{"type":"hourly"}})")) ==
        std::vector<json::value>{{"body", "schedule", "type"}});
}

TEST_CASE("recurring todo: completing moves it on, records it, ends with max_runs",
          "[http][recurrence]") {
  auto c = test::tier_server("enterprise").client();
  const auto user = test::unique_user("rec");
  const auto t = test::create_task(c, user, R"({"name":"stretch","task_type":"reminder",
      "due_date":"2030-01-07T08:00:00Z","reminder_time":"2030-01-07T07:45:00Z",
      "recurrence":{"type":"weekly","weekday":"monday","time":"09:00","timezone":"Europe/Warsaw",
                    "max_runs":2,"anchor":"due"}})");
  const std::string id(t.at("task_id").as_string());
  CHECK(t.at("recurrence").at("anchor") == "due");
  CHECK(t.at("recurrence").at("completed_count") == 0);
  CHECK(body_json(c.Get("/api/v1/tasks/" + id + "/completions", as_user(user))) == json::array{});

  auto r =
      c.Put("/api/v1/tasks/" + id, as_user(user), R"({"status":"completed"})", "application/json");
  REQUIRE(r->status == 200);
  auto j = body_json(r);
  CHECK(j.at("status") == "pending");
  CHECK(j.at("is_completed") == false);
  CHECK(j.at("due_date") == "2030-01-14T08:00:00Z");
  CHECK(j.at("reminder_time") == "2030-01-14T07:45:00Z");
  CHECK(j.at("recurrence").at("completed_count") == 1);
  auto list = body_json(c.Get("/api/v1/tasks/" + id + "/completions", as_user(user)));
  REQUIRE(list.as_array().size() == 1);
  CHECK(list.as_array()[0].at("due_date") == "2030-01-07T08:00:00Z");
  CHECK(list.as_array()[0].at("completed_at").is_string());

  j = body_json(
      c.Put("/api/v1/tasks/" + id, as_user(user), R"({"status":"completed"})", "application/json"));
  CHECK(j.at("status") == "completed");  // the 2nd of max_runs 2: closed as usual
  CHECK(j.at("is_completed") == true);
  list = body_json(c.Get("/api/v1/tasks/" + id + "/completions?limit=1", as_user(user)));
  REQUIRE(list.as_array().size() == 1);
  CHECK(list.as_array()[0].at("due_date") == "2030-01-14T08:00:00Z");  // newest first
  CHECK(body_json(c.Get("/api/v1/tasks/" + id + "/completions", as_user(user))).as_array().size() ==
        2);
  CHECK(c.Get("/api/v1/tasks/" + id + "/completions", as_user(test::unique_user("x")))->status ==
        404);
  CHECK(locs(c.Get("/api/v1/tasks/" + id + "/completions?limit=0", as_user(user))) ==
        std::vector<json::value>{{"query", "limit"}});
}

TEST_CASE("recurring todo: 422s with field locations, nothing stored", "[http][recurrence]") {
  auto c = test::tier_server("enterprise").client();
  const auto user = test::unique_user("rec422");
  auto post = [&](const std::string& body) {
    return c.Post("/api/v1/tasks", as_user(user), body, "application/json");
  };
  const std::string due = R"("due_date":"2030-01-01T09:00:00Z")";
  CHECK(locs(post(R"({"name":"a","task_type":"data_backup",)" + due +
                  R"(,"recurrence":{"type":"daily","time":"09:00"}})")) ==
        std::vector<json::value>{{"body", "recurrence"}});
  CHECK(locs(post(R"({"name":"a","task_type":"todo",)" + due +
                  R"(,"recurrence":{"type":"once","run_at":"2030-01-02T00:00:00Z"}})")) ==
        std::vector<json::value>{{"body", "recurrence", "type"}});
  CHECK(locs(post(R"({"name":"a","task_type":"todo",)" + due +
                  R"(,"recurrence":{"type":"daily","time":"09:00","anchor":"start"}})")) ==
        std::vector<json::value>{{"body", "recurrence", "anchor"}});
  CHECK(locs(post(R"({"name":"a","task_type":"todo",)" + due +
                  R"(,"recurrence":{"type":"cron","expression":"0 25 * * *"}})")) ==
        std::vector<json::value>{{"body", "recurrence", "expression"}});
  CHECK(locs(post(
            R"({"name":"a","task_type":"todo","recurrence":{"type":"daily","time":"09:00"}})")) ==
        std::vector<json::value>{{"body", "due_date"}});
  CHECK(body_json(c.Get("/api/v1/tasks", as_user(user))).at("total") == 0);

  const auto t = test::create_task(c, user, R"({"name":"plain","task_type":"todo"})");
  const std::string id(t.at("task_id").as_string());
  CHECK(locs(c.Put("/api/v1/tasks/" + id, as_user(user),
                   R"({"recurrence":{"type":"daily","time":"09:00"}})", "application/json")) ==
        std::vector<json::value>{{"body", "due_date"}});
  auto set = c.Put("/api/v1/tasks/" + id, as_user(user),
                   R"({"due_date":"2030-01-01T09:00:00Z","recurrence":{"type":"interval",
                       "interval_seconds":86400,"anchor":"completion"}})",
                   "application/json");
  REQUIRE(set->status == 200);
  CHECK(body_json(set).at("recurrence").at("anchor") == "completion");
  CHECK(locs(c.Put("/api/v1/tasks/" + id, as_user(user), R"({"due_date":null})",
                   "application/json")) == std::vector<json::value>{{"body", "due_date"}});
  auto got = body_json(c.Get("/api/v1/tasks/" + id, as_user(user)));
  CHECK(got.at("due_date") == "2030-01-01T09:00:00Z");  // the 422 changed nothing
}

TEST_CASE("recurring todo from a template: recurrence taken flat or nested, 422s, nothing stored",
          "[http][recurrence]") {
  auto c = test::tier_server("enterprise").client();
  const auto user = test::unique_user("rectpl");
  auto post = [&](const std::string& body) {
    return c.Post("/api/v1/tasks/from-template", as_user(user), body, "application/json");
  };
  auto r =
      post(R"({"template_id":"tpl_todo","name":"Water plants","due_date":"2030-01-07T08:00:00Z",
                    "recurrence":{"type":"daily","time":"09:00","timezone":"Europe/Warsaw"}})");
  REQUIRE(r);
  INFO(r->body);
  REQUIRE(r->status == 201);
  const auto t = body_json(r);
  CHECK(t.at("recurrence").at("anchor") == "due");
  CHECK(t.at("recurrence").at("completed_count") == 0);
  CHECK(t.at("metadata").at("template_id") == "tpl_todo");
  const std::string id(t.at("task_id").as_string());
  const auto done =
      c.Put("/api/v1/tasks/" + id, as_user(user), R"({"status":"completed"})", "application/json");
  REQUIRE(done);
  const auto d = body_json(done);
  CHECK(d.at("status") == "pending");
  CHECK(d.at("due_date") == "2030-01-08T08:00:00Z");
  CHECK(body_json(c.Get("/api/v1/tasks/" + id + "/completions", as_user(user))).as_array().size() ==
        1);

  r = post(R"({"template_id":"tpl_todo","customization":{"due_date":"2030-01-01T09:00:00Z",
               "recurrence":{"type":"interval","interval_seconds":86400,"anchor":"completion"}}})");
  REQUIRE(r);
  INFO(r->body);
  REQUIRE(r->status == 201);
  CHECK(body_json(r).at("recurrence").at("anchor") == "completion");

  const std::string due = R"("due_date":"2030-01-01T09:00:00Z")";
  CHECK(locs(post(R"({"template_id":"tpl_todo","recurrence":{"type":"daily","time":"09:00"}})")) ==
        std::vector<json::value>{{"body", "due_date"}});
  CHECK(locs(post(R"({"template_id":"tpl_todo",)" + due +
                  R"(,"recurrence":{"type":"once","run_at":"2030-01-02T00:00:00Z"}})")) ==
        std::vector<json::value>{{"body", "recurrence", "type"}});
  CHECK(locs(post(R"({"template_id":"tpl_todo","customization":{)" + due +
                  R"(,"recurrence":{"type":"daily","time":"09:00","anchor":"start"}}})")) ==
        std::vector<json::value>{{"body", "customization", "recurrence", "anchor"}});
  CHECK(locs(post(R"({"template_id":"tpl_data_backup","config":{"destination":"x"},)" + due +
                  R"(,"recurrence":{"type":"daily","time":"09:00"}})")) ==
        std::vector<json::value>{{"body", "recurrence"}});
  CHECK(body_json(c.Get("/api/v1/tasks", as_user(user))).at("total") == 2);
}
