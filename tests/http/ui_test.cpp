// The dashboard's server side against the in-process server: /ui/ files (ETag, 304, CSP),
// /ui/config.json per auth mode, --ui off/local, the same-origin rule for writes, and the
// read-only endpoints the pages use (schedule preview, upcoming runs, analytics series).
#include <date/tz.h>

#include <array>
#include <catch2/catch.hpp>
#include <map>
#include <stdexcept>

#include "http_fixture.hpp"
#include "task/core/time.hpp"
#include "ui_routes.hpp"

namespace json = boost::json;
using test::as_user;
using test::body_json;
using test::ServerUnderTest;

namespace {

/// The dashboard tests' own server: the histories they restore take row ids far above the ones
/// the other test files' servers hand out (on SQLite a database of their own keeps them apart).
ServerUnderTest& ui_server() {
  static ServerUnderTest server(std::map<std::string, std::string>{{"default-tier", "enterprise"}});
  return server;
}

// A todo of `user` with a history restored around it. Ids are unique per run from the wall
// clock (the sanitizer build runs these tests on the same PostgreSQL too); `series` (1 to 9)
// keeps two histories of one run apart.
struct History {
  task::Task task;
  std::vector<task::Execution> runs;

  History(const std::string& user, int series, task::Timestamp created) {
    using namespace std::chrono;
    const auto wall = time_point_cast<task::Micros>(system_clock::now()).time_since_epoch().count();
    task.task_id = "tsk_" + std::string(24, static_cast<char>('a' + series))
                                .replace(0, 8, std::to_string(10000000 + wall % 89999999));
    task.id = series * 1000000000000LL + wall % 1000000000LL;
    task.user_id = user;
    task.name = "history";
    task.task_type = task::TaskType::todo;
    task.created_at = task.updated_at = created;
  }
  task::Execution& add(task::Timestamp at, task::ExecutionStatus status, double credits) {
    const auto i = static_cast<std::int64_t>(runs.size());
    task::Execution e;
    e.execution_id = "exe_" +
                     std::to_string(100000000000000000LL + (task.id % 1000000000LL) * 1000 + i) +
                     std::string(6, static_cast<char>('a' + task.id / 1000000000000LL));
    e.id = task.id + i + 1;
    e.task_id = task.task_id;
    e.user_id = task.user_id;
    e.status = status;
    e.credits_consumed = credits;
    e.started_at = e.created_at = at;
    runs.push_back(e);
    return runs.back();
  }
};
}  // namespace

TEST_CASE("ui: the page and its files, with ETag, 304 and a strict CSP", "[http][ui]") {
  auto c = ui_server().client();
  auto page = c.Get("/ui/");
  REQUIRE(page);
  CHECK(page->status == 200);
  CHECK(page->get_header_value("Content-Type") == "text/html; charset=utf-8");
  CHECK(page->body.find("<script type=\"module\" src=\"js/app.js\"></script>") !=
        std::string::npos);
  const auto csp = page->get_header_value("Content-Security-Policy");
  CHECK(csp.find("frame-ancestors 'none'") != std::string::npos);
  CHECK(csp.find("script-src 'self'") != std::string::npos);
  CHECK(csp.find("unsafe-inline") == std::string::npos);
  CHECK(page->get_header_value("X-Frame-Options") == "DENY");
  CHECK(page->get_header_value("X-Content-Type-Options") == "nosniff");
  CHECK(page->get_header_value("Cache-Control") == "no-cache");

  auto js = c.Get("/ui/js/app.js");
  REQUIRE(js);
  CHECK(js->status == 200);
  CHECK(js->get_header_value("Content-Type") == "text/javascript; charset=utf-8");
  const auto etag = js->get_header_value("ETag");
  REQUIRE(etag.size() == 18);
  CHECK(etag != page->get_header_value("ETag"));
  auto again = c.Get("/ui/js/app.js", {{"If-None-Match", etag}});
  REQUIRE(again);
  CHECK(again->status == 304);
  CHECK(again->body.empty());
  CHECK(again->get_header_value("ETag") == etag);
  auto listed = c.Get("/ui/js/app.js", {{"If-None-Match", "\"other\", W/" + etag}});
  CHECK(listed->status == 304);
  auto changed = c.Get("/ui/js/app.js", {{"If-None-Match", "\"0000000000000000\""}});
  CHECK(changed->status == 200);
  CHECK(changed->body == js->body);

  CHECK(c.Get("/ui/style.css")->get_header_value("Content-Type") == "text/css; charset=utf-8");
  CHECK(c.Get("/ui/favicon.svg")->get_header_value("Content-Type") == "image/svg+xml");
  auto missing = c.Get("/ui/nope.js");
  CHECK(missing->status == 404);
  CHECK(missing->get_header_value("Content-Security-Policy") == csp);
  CHECK(c.Get("/ui/../openapi.json")->status != 200);
  CHECK(c.Get("/ui/js/../index.html")->status == 404);
  auto bare = c.Get("/ui");
  CHECK(bare->status == 301);
  CHECK(bare->get_header_value("Location") == "/ui/");
}

TEST_CASE("ui: config.json says the auth mode; gateway mode echoes the gateway's user",
          "[http][ui]") {
  auto c = ui_server().client();
  auto r = c.Get("/ui/config.json", as_user("gw-user"));
  REQUIRE(r->status == 200);
  CHECK(r->get_header_value("Cache-Control") == "no-store");
  auto j = body_json(r);
  CHECK(j.at("auth") == "gateway");
  CHECK(j.at("user_id") == "gw-user");
  CHECK(body_json(c.Get("/ui/config.json")).at("user_id").is_null());
  CHECK(
      body_json(c.Get("/ui/config.json", as_user(std::string(300, 'x')))).at("user_id").is_null());

  ServerUnderTest jwt(std::map<std::string, std::string>{{"jwt-secret", "s"}});
  auto cj = jwt.client();
  auto jj = body_json(cj.Get("/ui/config.json", as_user("ignored")));
  CHECK(jj.at("auth") == "jwt");
  CHECK(jj.at("user_id").is_null());

  ServerUnderTest local(std::map<std::string, std::string>{{"ui", "local"}, {"bind", "127.0.0.1"}});
  auto cl = local.client();
  CHECK(body_json(cl.Get("/ui/config.json")).at("auth") == "local");
}

TEST_CASE("ui: --ui off serves no page; --ui local needs loopback and no JWT", "[http][ui]") {
  ServerUnderTest off(std::map<std::string, std::string>{{"ui", "off"}});
  auto c = off.client();
  CHECK(c.Get("/ui/")->status == 404);
  CHECK(c.Get("/ui/config.json")->status == 404);
  CHECK(c.Post("/api/v1/schedules/preview", as_user("u"),
               R"({"schedule":{"type":"daily","time":"09:00"}})", "application/json")
            ->status == 200);

  const auto resolve = [](std::map<std::string, std::string> flags) {
    flags["database-url"] = "memory:";
    flags["scheduler"] = "off";
    return task::runtime::resolve_config(
        flags, [](const std::string&) -> std::optional<std::string> { return std::nullopt; });
  };
  task::runtime::Runtime open_bind(resolve({{"ui", "local"}, {"bind", "0.0.0.0"}}));
  CHECK_THROWS_WITH(task::server::HttpServer(open_bind),
                    Catch::Contains("--ui local needs a loopback --bind"));
  task::runtime::Runtime with_jwt(
      resolve({{"ui", "local"}, {"bind", "127.0.0.1"}, {"jwt-secret", "s"}}));
  CHECK_THROWS_WITH(task::server::HttpServer(with_jwt), Catch::Contains("JWT"));
  task::runtime::Runtime bad(resolve({{"ui", "maybe"}}));
  CHECK_THROWS_WITH(task::server::HttpServer(bad), Catch::Contains("--ui: 'maybe'"));
}

TEST_CASE("same-origin rule: browsers' cross-site writes are 403, others pass", "[http][ui]") {
  auto c = ui_server().client();
  const std::string body = R"({"name":"csrf probe","task_type":"todo"})";
  const auto user = test::unique_user("csrf");
  auto headers = [&](std::initializer_list<std::pair<const char*, const char*>> extra) {
    auto h = as_user(user);
    for (const auto& [k, v] : extra)
      h.emplace(k, v);
    return h;
  };
  for (const char* site : {"cross-site", "same-site"}) {
    INFO(site);
    auto r = c.Post("/api/v1/tasks", headers({{"Sec-Fetch-Site", site}}), body, "application/json");
    CHECK(r->status == 403);
    CHECK(body_json(r).at("action") == "cross_site_request");
    CHECK(!r->get_header_value("X-Request-ID").empty());
  }
  auto foreign = c.Post("/api/v1/tasks", headers({{"Origin", "https://evil.example"}}), body,
                        "application/json");
  CHECK(foreign->status == 403);
  CHECK(c.Delete("/api/v1/tasks/x", headers({{"Sec-Fetch-Site", "cross-site"}}))->status == 403);
  CHECK(c.Put("/api/v1/tasks/x", headers({{"Origin", "null"}}), "{}", "application/json")->status ==
        403);
  // Nothing was created by the refused requests.
  CHECK(body_json(c.Get("/api/v1/tasks", as_user(user))).at("total") == 0);
  // Same origin, a top-level navigation, or no browser headers at all: allowed.
  CHECK(c.Post("/api/v1/tasks", headers({{"Sec-Fetch-Site", "same-origin"}}), body,
               "application/json")
            ->status == 201);
  const auto host = "127.0.0.1:" + std::to_string(ui_server().port());
  auto h = headers({});
  h.emplace("Origin", "http://" + host);
  CHECK(c.Post("/api/v1/tasks", h, body, "application/json")->status == 201);
  CHECK(c.Post("/api/v1/tasks", as_user(user), body, "application/json")->status == 201);
  // Reads are never refused.
  CHECK(c.Get("/api/v1/tasks", headers({{"Sec-Fetch-Site", "cross-site"}}))->status == 200);
  CHECK(body_json(c.Get("/api/v1/tasks", as_user(user))).at("total") == 3);
}

TEST_CASE("schedule preview: fire times in the schedule zone across DST; 422 by field",
          "[http][ui]") {
  auto c = ui_server().client();
  auto r = c.Post(
      "/api/v1/schedules/preview", as_user("p"),
      R"({"schedule":{"type":"cron","expression":"0 9 * * 1-5","timezone":"Europe/Berlin"},"count":3,"from":"2027-03-26T00:00:00Z"})",
      "application/json");
  REQUIRE(r->status == 200);
  auto j = body_json(r);
  CHECK(j.at("timezone") == "Europe/Berlin");
  const auto& runs = j.at("runs").as_array();
  REQUIRE(runs.size() == 3);
  CHECK(runs[0].at("at") == "2027-03-26T08:00:00Z");
  CHECK(runs[0].at("local") == "2027-03-26T09:00:00+01:00");
  CHECK(runs[1].at("at") == "2027-03-29T07:00:00Z");
  CHECK(runs[1].at("local") == "2027-03-29T09:00:00+02:00");
  // Default count 10; max_runs and end_at cut the list; a once in the past still runs once.
  auto d = body_json(c.Post("/api/v1/schedules/preview", as_user("p"),
                            R"({"schedule":{"type":"daily","time":"07:00"}})", "application/json"));
  CHECK(d.at("runs").as_array().size() == 10);
  auto m = body_json(c.Post("/api/v1/schedules/preview", as_user("p"),
                            R"({"schedule":{"type":"daily","time":"07:00","max_runs":2}})",
                            "application/json"));
  CHECK(m.at("runs").as_array().size() == 2);
  auto e = body_json(c.Post(
      "/api/v1/schedules/preview", as_user("p"),
      R"({"schedule":{"type":"daily","time":"07:00","end_at":"2027-01-03T12:00:00Z"},"from":"2027-01-01T00:00:00Z"})",
      "application/json"));
  CHECK(e.at("runs").as_array().size() == 3);

  auto bad =
      c.Post("/api/v1/schedules/preview", as_user("p"),
             R"({"schedule":{"type":"cron","expression":"0 99 * * *"}})", "application/json");
  REQUIRE(bad->status == 422);
  const auto bad_json = body_json(bad);
  const auto& err = bad_json.at("detail").as_array().at(0);
  CHECK(err.at("loc") == json::array{"body", "schedule", "expression"});
  CHECK(std::string(err.at("msg").as_string()).find("hour field") != std::string::npos);
  for (const char* b : {R"({"schedule":{"type":"daily","time":"07:00"},"count":0})",
                        R"({"schedule":{"type":"daily","time":"07:00"},"count":101})",
                        R"({"schedule":{"type":"daily","time":"07:00"},"count":"x"})",
                        R"({"schedule":{"type":"daily","time":"07:00"},"from":"soon"})", R"({})",
                        R"([])", R"(not json)"}) {
    INFO(b);
    CHECK(c.Post("/api/v1/schedules/preview", as_user("p"), b, "application/json")->status == 422);
  }
  CHECK(c.Post("/api/v1/schedules/preview", R"({"schedule":{"type":"daily","time":"07:00"}})",
               "application/json")
            ->status == 401);
}

TEST_CASE("upcoming runs of a task: from next_run_time; none when paused; owner only",
          "[http][ui]") {
  auto c = ui_server().client();
  const auto user = test::unique_user("upcoming");
  const auto id = test::create_task_id(
      c, user,
      R"({"name":"u","task_type":"todo","schedule":{"type":"weekly","weekday":"monday","time":"08:00","timezone":"America/New_York","max_runs":5}})");
  auto r = c.Get("/api/v1/tasks/" + id + "/upcoming?count=20", as_user(user));
  REQUIRE(r->status == 200);
  auto j = body_json(r);
  CHECK(j.at("task_id") == json::value(id));
  CHECK(j.at("timezone") == "America/New_York");
  const auto& runs = j.at("runs").as_array();
  REQUIRE(runs.size() == 5);  // max_runs
  const auto task = body_json(c.Get("/api/v1/tasks/" + id, as_user(user)));
  CHECK(runs[0].at("at") == task.at("next_run_time"));
  for (const auto& run : runs) {
    const std::string local(run.at("local").as_string());
    CHECK(local.substr(10, 9) == "T08:00:00");
  }
  CHECK(body_json(c.Get("/api/v1/tasks/" + id + "/upcoming", as_user(user)))
            .at("runs")
            .as_array()
            .size() == 5);
  CHECK(c.Get("/api/v1/tasks/" + id + "/upcoming?count=0", as_user(user))->status == 422);
  CHECK(c.Get("/api/v1/tasks/" + id + "/upcoming", as_user("someone-else"))->status == 404);
  REQUIRE(c.Put("/api/v1/tasks/" + id, as_user(user), R"({"status":"paused"})", "application/json")
              ->status == 200);
  CHECK(body_json(c.Get("/api/v1/tasks/" + id + "/upcoming", as_user(user)))
            .at("runs")
            .as_array()
            .empty());
  const auto plain = test::create_task_id(c, user, R"({"name":"no schedule","task_type":"todo"})");
  auto p = body_json(c.Get("/api/v1/tasks/" + plain + "/upcoming", as_user(user)));
  CHECK(p.at("runs").as_array().empty());
}

TEST_CASE("analytics series: per-day totals and a weekday x hour grid from real executions",
          "[http][ui]") {
  auto c = ui_server().client();
  const auto user = test::unique_user("series");
  const auto id =
      test::create_task_id(c, user, R"({"name":"s","task_type":"todo","credits_per_run":1.5})");
  for (int i = 0; i < 3; ++i)
    REQUIRE(
        c.Post("/api/v1/tasks/" + id + "/execute", as_user(user), "", "application/json")->status ==
        200);
  auto r = c.Get("/api/v1/analytics/series?days=7&tz=Asia/Kolkata", as_user(user));
  REQUIRE(r->status == 200);
  auto j = body_json(r);
  CHECK(j.at("days") == 7);
  CHECK(j.at("timezone") == "Asia/Kolkata");
  const auto& daily = j.at("daily").as_array();
  REQUIRE(daily.size() == 7);
  const auto& today = daily.back().as_object();
  CHECK(today.at("total") == 3);
  CHECK(today.at("successful") == 3);
  CHECK(today.at("failed") == 0);
  CHECK(today.at("credits").to_number<double>() == 4.5);
  CHECK(std::string(today.at("start").as_string()).substr(11) == "18:30:00Z");  // IST midnight
  for (std::size_t i = 0; i + 1 < daily.size(); ++i)
    CHECK(daily[i].at("total") == 0);
  std::int64_t cells = 0;
  const auto& grid = j.at("weekday_hour").as_array();
  REQUIRE(grid.size() == 7);
  for (const auto& row : grid) {
    REQUIRE(row.as_array().size() == 24);
    for (const auto& n : row.as_array())
      cells += n.as_int64();
  }
  CHECK(cells == 3);
  // Another user's series holds none of these.
  auto other = body_json(c.Get("/api/v1/analytics/series?days=7", as_user(user + "-other")));
  CHECK(other.at("daily").as_array().back().at("total") == 0);
  CHECK(other.at("days") == 7);
  CHECK(body_json(c.Get("/api/v1/analytics/series", as_user(user))).at("daily").as_array().size() ==
        30);
  for (const char* q : {"days=0", "days=366", "days=x", "tz=Mars/Olympus"}) {
    INFO(q);
    CHECK(c.Get(std::string("/api/v1/analytics/series?") + q, as_user(user))->status == 422);
  }
  CHECK(c.Get("/api/v1/analytics/series")->status == 401);
}

TEST_CASE("analytics series: executions on earlier days land on their local day", "[http][ui]") {
  auto& server = ui_server();
  const auto user = test::unique_user("series-days");
  using namespace std::chrono;
  const auto now = time_point_cast<task::Micros>(system_clock::now());
  const auto midnight = floor<days>(now);  // today 00:00 UTC
  History h(user, 1, midnight - days{10});
  auto add = [&](task::Timestamp at, task::ExecutionStatus status, double credits) {
    auto& e = h.add(at, status, credits);
    e.completed_at = at + seconds{1};
    e.duration_ms = 1000;
  };
  add(midnight - days{2} + hours{10}, task::ExecutionStatus::completed, 1);
  add(midnight - days{2} + hours{11}, task::ExecutionStatus::completed, 1);
  add(midnight - days{2} + hours{12}, task::ExecutionStatus::failed, 0);
  add(midnight - days{5} + hours{23} + minutes{30}, task::ExecutionStatus::completed, 2.5);
  add(midnight - days{40}, task::ExecutionStatus::completed, 9);  // outside the window
  server.runtime().repository().restore(h.task, h.runs);

  auto c = server.client();
  auto utc = body_json(c.Get("/api/v1/analytics/series?days=7", as_user(user)));
  const auto& d = utc.at("daily").as_array();
  REQUIRE(d.size() == 7);
  CHECK(d[4].at("total") == 3);  // two days ago
  CHECK(d[4].at("successful") == 2);
  CHECK(d[4].at("failed") == 1);
  CHECK(d[4].at("credits").to_number<double>() == 2.0);
  CHECK(d[1].at("total") == 1);  // five days ago, 23:30 UTC
  CHECK(d[1].at("credits").to_number<double>() == 2.5);
  for (std::size_t i : {0u, 2u, 3u, 5u, 6u})
    CHECK(d[i].at("total") == 0);
  // In Asia/Kolkata (+05:30) 23:30 UTC is 05:00 the next local day; 10:00-12:00 UTC stay.
  auto ist = body_json(c.Get("/api/v1/analytics/series?days=7&tz=Asia/Kolkata", as_user(user)));
  const auto& k = ist.at("daily").as_array();
  // From 18:30 UTC on, Kolkata's "today" is the next UTC day: every local day is one index older.
  const std::size_t shift = floor<days>(now + hours{5} + minutes{30}) > midnight ? 1 : 0;
  CHECK(k[2 - shift].at("total") == 1);
  CHECK(k[1 - shift].at("total") == 0);
  CHECK(k[4 - shift].at("total") == 3);
  const auto& grid = ist.at("weekday_hour").as_array();
  std::int64_t five_am = 0;
  for (const auto& row : grid)
    five_am += row.as_array()[5].as_int64();
  CHECK(five_am == 1);
}

TEST_CASE("analytics series: one query buckets into local days as the per-day totals did",
          "[http][ui]") {
  // Against the tier's store: executions across DST changes (New York, Havana's midnight that
  // does not exist, Lord Howe's half hour), +05:45 and +05:30 zones, and on local midnights. Two
  // oracles: the local date of each execution, and the earlier per-day queries (differences of
  // execution_totals since each day's start).
  auto& server = ui_server();
  auto& repo = server.runtime().repository();
  const auto user = test::unique_user("series-zones");
  using namespace std::chrono;
  // Instants at a day of 2026 plus a time of day.
  const auto day = [](unsigned m, unsigned d, seconds time = seconds{0}) {
    return time_point_cast<task::Micros>(
        date::sys_days{date::year{2026} / date::month{m} / date::day{d}} + time);
  };
  const auto now = day(4, 10, hours{12});
  History h(user, 2, now - days{70});
  auto& runs = h.runs;
  auto add = [&](task::Timestamp at) {
    const auto i = runs.size();
    h.add(at,
          i % 3 == 0   ? task::ExecutionStatus::completed
          : i % 3 == 1 ? task::ExecutionStatus::failed
                       : task::ExecutionStatus::running,
          static_cast<double>(i % 5) * 0.25);  // exact in binary
  };
  for (auto at = day(2, 8); at < now; at += seconds{14850})  // 4h07m30s: on and off quarters
    add(at);
  for (auto at : {day(3, 8, hours{5} - seconds{1}), day(3, 8, hours{5}),     // Havana's gap
                  day(3, 7, hours{18} + minutes{15} - seconds{1}),           // Kathmandu midnight
                  day(3, 7, hours{18} + minutes{15}), day(4, 4, hours{13}),  // Lord Howe
                  day(4, 4, hours{13} + minutes{30}), day(3, 8, hours{7}),   // New York
                  day(4, 10, hours{11})})
    add(at);
  repo.restore(h.task, h.runs);

  for (const char* zone_name : {"UTC", "America/New_York", "America/Havana", "Asia/Kathmandu",
                                "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Chatham"}) {
    INFO(zone_name);
    httplib::Request req;
    req.params.emplace("days", "60");
    req.params.emplace("tz", zone_name);
    const auto series = task::server::analytics_series(repo, user, req, now);
    const auto& daily = series.at("daily").as_array();
    REQUIRE(daily.size() == 60);
    const auto* zone = date::locate_zone(zone_name);
    std::map<std::string, std::array<double, 4>> by_date;  // total, ok, failed, credits
    for (const auto& e : runs) {
      const auto local = zone->to_local(floor<seconds>(e.started_at));
      auto& x = by_date[date::format("%F", floor<date::days>(local))];
      x[0] += 1;
      x[1] += e.status == task::ExecutionStatus::completed;
      x[2] += e.status == task::ExecutionStatus::failed;
      x[3] += e.credits_consumed;
    }
    std::vector<task::ExecutionTotals> since;
    for (const auto& d : daily)
      since.push_back(repo.execution_totals(
          std::string_view(user), *task::parse_rfc3339(std::string(d.at("start").as_string()))));
    std::int64_t seen = 0;
    for (std::size_t i = 0; i < daily.size(); ++i) {
      const auto& d = daily[i].as_object();
      const auto date_text = std::string(d.at("date").as_string());
      INFO(date_text);
      const auto want = by_date.count(date_text) ? by_date[date_text] : std::array<double, 4>{};
      CHECK(d.at("total").to_number<double>() == want[0]);
      CHECK(d.at("successful").to_number<double>() == want[1]);
      CHECK(d.at("failed").to_number<double>() == want[2]);
      CHECK(d.at("credits").to_number<double>() == want[3]);
      // The earlier algorithm: totals since this day's start minus since the next one's.
      const auto& a = since[i];
      const task::ExecutionTotals none;
      const auto& b = i + 1 < since.size() ? since[i + 1] : none;
      CHECK(d.at("total").as_int64() == a.total - b.total);
      CHECK(d.at("successful").as_int64() == a.successful - b.successful);
      CHECK(d.at("failed").as_int64() == a.failed - b.failed);
      CHECK(d.at("credits").to_number<double>() == a.credits - b.credits);
      seen += d.at("total").as_int64();
    }
    CHECK(seen == since.front().total);
    CHECK(seen > 300);
  }
}

TEST_CASE("scheduler/running: runs in flight with their lease owners, internal only",
          "[http][ui]") {
  auto& server = ui_server();
  const auto user = test::unique_user("in-flight");
  using namespace std::chrono;
  const auto now = time_point_cast<task::Micros>(system_clock::now());
  task::Task t;
  t.task_id =
      "tsk_" + std::string(24, 'c').replace(
                   0, 8, std::to_string(10000000 + (now.time_since_epoch().count() % 89999999)));
  t.id = 3000000000000LL + now.time_since_epoch().count() % 1000000000LL;
  t.user_id = user;
  t.name = "long run";
  t.task_type = task::TaskType::todo;
  t.status = task::TaskStatus::running;
  t.lease_owner = "replica-" + user;
  t.lease_expires_at = now + minutes{5};
  t.created_at = t.updated_at = now - minutes{1};
  task::Execution e;
  e.execution_id = "exe_" + std::string(24, 'd').replace(0, 8, t.task_id.substr(4, 8));
  e.id = t.id;
  e.task_id = t.task_id;
  e.user_id = user;
  e.status = task::ExecutionStatus::running;
  e.trigger_type = task::TriggerType::scheduled;
  e.scheduled_for = now - seconds{30};
  e.started_at = e.created_at = now - seconds{29};
  server.runtime().repository().restore(t, {e});

  auto c = server.client();
  const httplib::Headers internal{{"X-Internal-Service", "true"},
                                  {"X-Internal-Service-Secret", "test-internal-secret"}};
  auto r = c.Get("/api/v1/scheduler/running", internal);
  REQUIRE(r);
  REQUIRE(r->status == 200);
  const auto runs = body_json(r);
  REQUIRE(runs.is_array());
  const json::object* mine = nullptr;
  for (const auto& x : runs.as_array())
    if (x.at("task_id") == t.task_id.c_str()) mine = &x.as_object();
  REQUIRE(mine != nullptr);
  CHECK(mine->at("user_id") == user.c_str());
  CHECK(mine->at("name") == "long run");
  CHECK(mine->at("lease_owner") == t.lease_owner->c_str());
  CHECK(mine->at("lease_expires_at") == task::format_rfc3339(*t.lease_expires_at).c_str());
  CHECK(mine->at("execution_id") == e.execution_id.c_str());
  CHECK(mine->at("trigger_type") == "scheduled");
  CHECK(mine->at("scheduled_for") == task::format_rfc3339(*e.scheduled_for).c_str());
  CHECK(mine->at("started_at") == task::format_rfc3339(e.started_at).c_str());

  auto one = c.Get("/api/v1/scheduler/running?limit=1", internal);
  REQUIRE(one->status == 200);
  CHECK(body_json(one).as_array().size() == 1);
  CHECK(c.Get("/api/v1/scheduler/running", as_user(user))->status == 403);
  CHECK(c.Get("/api/v1/scheduler/running")->status == 401);
  for (const char* q : {"limit=0", "limit=101", "limit=x", "limit=", "limit=5x"}) {
    INFO(q);
    auto bad = c.Get(std::string("/api/v1/scheduler/running?") + q, internal);
    REQUIRE(bad->status == 422);
    CHECK(body_json(bad).at("detail").as_array()[0].at("loc") == json::array{"query", "limit"});
  }
}
