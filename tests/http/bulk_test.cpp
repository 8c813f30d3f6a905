// POST /api/v1/tasks/bulk (docs/api.md §16; Part 2 "Bulk operations") against the in-process
// server over the real database, with the events each change publishes.
#include <catch2/catch.hpp>
#include <chrono>
#include <mutex>
#include <thread>

#include "http_fixture.hpp"
#include "task/events/event_system.hpp"

namespace json = boost::json;
using test::as_user;
using test::body_json;
using test::ServerUnderTest;

namespace {

std::string create(httplib::Client& c, const std::string& user, const json::object& body) {
  return test::create_task_id(c, user, json::serialize(body));
}

std::string todo(httplib::Client& c, const std::string& user, const std::string& name) {
  return create(c, user, {{"name", name}, {"task_type", "todo"}});
}

json::value bulk(httplib::Client& c, const std::string& user, const json::object& body,
                 int want = 200) {
  auto r = c.Post("/api/v1/tasks/bulk", as_user(user), json::serialize(body), "application/json");
  REQUIRE(r);
  INFO(r->body);
  REQUIRE(r->status == want);
  return body_json(r);
}

std::string status_of(httplib::Client& c, const std::string& user, const std::string& id) {
  auto r = c.Get("/api/v1/tasks/" + id, as_user(user));
  if (r->status != 200) return "http " + std::to_string(r->status);
  return std::string(body_json(r).at("status").as_string());
}

/// Events of one user, as the in-process bus delivers them.
struct Recorder {
  explicit Recorder(ServerUnderTest& s, std::string user) : user_(std::move(user)) {
    bus_ = s.runtime().event_bus()->in_process();
    REQUIRE(bus_);
    id_ = bus_->subscribe("*", [this](const task::Event& e) {
      std::lock_guard lock(mu_);
      if (e.user_id == user_) events_.push_back(e.type + " " + e.task_id);
    });
  }
  ~Recorder() { bus_->unsubscribe(id_); }
  /// How often `entry` ("type task_id") arrived, after waiting (up to 5 s) for at least `want`.
  std::size_t count(const std::string& entry, std::size_t want = 1) {
    std::size_t n = 0;
    for (int i = 0; i < 500; ++i) {
      {
        std::lock_guard lock(mu_);
        n = static_cast<std::size_t>(std::count(events_.begin(), events_.end(), entry));
      }
      if (n >= want) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return n;
  }

 private:
  std::string user_;
  task::events::InProcessEventBus* bus_ = nullptr;
  task::events::InProcessEventBus::SubscriptionId id_{};
  std::mutex mu_;
  std::vector<std::string> events_;
};

json::array ids_of(const std::vector<std::string>& ids) {
  json::array out;
  for (const auto& id : ids)
    out.push_back(json::value(id));
  return out;
}

}  // namespace

TEST_CASE("bulk: pause, resume, cancel and delete by ids, with per-task results and events",
          "[http][bulk]") {
  auto c = test::tier_server("pro").client();
  const auto u = test::unique_user("bulk-ids");
  const auto other = test::unique_user("bulk-other");
  const auto a = todo(c, u, "bulk a");
  const auto b = create(c, u,
                        {{"name", "bulk b"},
                         {"task_type", "todo"},
                         {"schedule", {{"type", "interval"}, {"interval_seconds", 3600}}}});
  const auto foreign = todo(c, other, "not yours");
  Recorder events(test::tier_server("pro"), u);

  auto r = bulk(c, u, {{"action", "pause"}, {"task_ids", ids_of({a, b, foreign, "tsk_missing"})}});
  CHECK(r.at("action") == "pause");
  CHECK(r.at("matched") == 2);
  CHECK(r.at("changed") == 2);
  const auto& res = r.at("results").as_array();
  REQUIRE(res.size() == 4);
  CHECK(res[0].at("task_id") == a.c_str());
  CHECK(res[0].at("ok") == true);
  CHECK(res[0].at("status") == "paused");
  CHECK(res[1].at("status") == "paused");
  CHECK(res[2].at("ok") == false);
  CHECK(res[2].at("error").at("status") == 404);
  CHECK(res[2].at("error").at("detail") == "Task not found");
  CHECK(res[3].at("error").at("status") == 404);
  CHECK(status_of(c, other, foreign) == "pending");  // never acted on
  CHECK(events.count("task.status_changed " + a) == 1);
  CHECK(events.count("task.updated " + a) == 1);
  CHECK(events.count("task.status_changed " + b) == 1);

  // Pausing again changes nothing (and publishes nothing); resume restores each by its schedule.
  r = bulk(c, u, {{"action", "pause"}, {"task_ids", ids_of({a})}});
  CHECK(r.at("changed") == 0);
  CHECK(r.at("results").at(0).at("ok") == true);
  r = bulk(c, u, {{"action", "resume"}, {"task_ids", ids_of({a, b})}});
  CHECK(r.at("changed") == 2);
  CHECK(status_of(c, u, a) == "pending");
  CHECK(status_of(c, u, b) == "scheduled");
  CHECK(events.count("task.status_changed " + a, 2) == 2);

  // Cancel one, then a mixed batch: the cancelled one cannot be resumed (409), the rest changes.
  bulk(c, u, {{"action", "cancel"}, {"task_ids", ids_of({a})}});
  CHECK(status_of(c, u, a) == "cancelled");
  r = bulk(c, u, {{"action", "pause"}, {"task_ids", ids_of({a, b})}});
  CHECK(r.at("changed") == 1);
  CHECK(r.at("results").at(0).at("ok") == false);
  CHECK(r.at("results").at(0).at("error").at("status") == 409);
  CHECK(r.at("results").at(0).at("error").at("detail") == "Invalid status transition");
  CHECK(r.at("results").at(1).at("ok") == true);
  CHECK(status_of(c, u, b) == "paused");
  r = bulk(c, u, {{"action", "resume"}, {"task_ids", ids_of({a})}});
  CHECK(r.at("results").at(0).at("error").at("status") == 409);

  r = bulk(c, u, {{"action", "delete"}, {"task_ids", ids_of({a, b})}});
  CHECK(r.at("changed") == 2);
  CHECK(status_of(c, u, a) == "http 404");
  CHECK(status_of(c, u, b) == "http 404");
  CHECK(events.count("task.deleted " + a) == 1);
  CHECK(events.count("task.deleted " + b) == 1);
  r = bulk(c, u, {{"action", "delete"}, {"task_ids", ids_of({a})}});
  CHECK(r.at("matched") == 0);
  CHECK(r.at("results").at(0).at("error").at("status") == 404);
}

TEST_CASE("bulk: a filter selects the caller's matching tasks", "[http][bulk]") {
  auto c = test::tier_server("pro").client();
  const auto u = test::unique_user("bulk-filter");
  const auto other = test::unique_user("bulk-filter-other");
  std::vector<std::string> tagged;
  for (int i = 0; i < 3; ++i)
    tagged.push_back(create(c, u,
                            {{"name", "f" + std::to_string(i)},
                             {"task_type", "todo"},
                             {"priority", "high"},
                             {"tags", {"batch"}}}));
  const auto plain = todo(c, u, "untagged");
  const auto foreign =
      create(c, other, {{"name", "theirs"}, {"task_type", "todo"}, {"tags", {"batch"}}});
  auto r = bulk(c, u, {{"action", "cancel"}, {"filter", {{"tag", "batch"}, {"priority", "high"}}}});
  CHECK(r.at("matched") == 3);
  CHECK(r.at("changed") == 3);
  for (const auto& id : tagged)
    CHECK(status_of(c, u, id) == "cancelled");
  CHECK(status_of(c, u, plain) == "pending");
  CHECK(status_of(c, other, foreign) == "pending");
  // Tags as a list (all must match), a filter matching nothing.
  r = bulk(c, u, {{"action", "pause"}, {"filter", {{"tag", {"batch", "none"}}}}});
  CHECK(r.at("matched") == 0);
  CHECK(r.at("results").as_array().empty());
}

TEST_CASE("bulk: run queues a manual run per task, quotas per task", "[http][bulk]") {
  auto c = test::tier_server("free").client();
  const auto u = test::unique_user("bulk-run");
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i)
    ids.push_back(todo(c, u, "run " + std::to_string(i)));
  // Use 8 of the free tier's 10 daily runs on one task first.
  for (int i = 0; i < 8; ++i)
    REQUIRE(c.Post("/api/v1/tasks/" + ids[0] + "/execute", as_user(u), "", "application/json")
                ->status == 200);
  auto r = bulk(c, u, {{"action", "run"}, {"task_ids", ids_of(ids)}});
  const auto& res = r.at("results").as_array();
  REQUIRE(res.size() == 4);
  CHECK(res[0].at("ok") == true);
  CHECK(res[1].at("ok") == true);
  CHECK(res[0].at("execution_id").as_string().starts_with("exe_"));
  CHECK(res[2].at("error").at("status") == 429);
  CHECK(res[3].at("error").at("status") == 429);
  CHECK(r.at("changed") == 2);
  // The two queued runs finish on the worker pool.
  for (int i = 0; i < 2; ++i) {
    bool done = false;
    for (int k = 0; k < 500 && !done; ++k) {
      auto t = body_json(c.Get("/api/v1/tasks/" + ids[static_cast<std::size_t>(i)], as_user(u)));
      done = t.at("run_count").as_int64() >= (i == 0 ? 9 : 1);
      if (!done) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    CHECK(done);
  }
  CHECK(body_json(c.Get("/api/v1/tasks/" + ids[2], as_user(u))).at("run_count") == 0);
}

TEST_CASE("bulk: bad requests are 422 with field locations and change nothing", "[http][bulk]") {
  auto c = test::tier_server("pro").client();
  const auto u = test::unique_user("bulk-bad");
  const auto a = todo(c, u, "keep");
  auto loc_of = [](const json::value& v) { return v.at("detail").at(0).at("loc"); };
  auto type_of = [](const json::value& v) {
    return std::string(v.at("detail").at(0).at("type").as_string());
  };
  auto r = bulk(c, u, {{"action", "explode"}, {"task_ids", ids_of({a})}}, 422);
  CHECK(loc_of(r) == json::parse(R"(["body","action"])"));
  CHECK(type_of(r) == "enum");
  r = bulk(c, u, {{"task_ids", ids_of({a})}}, 422);
  CHECK(loc_of(r) == json::parse(R"(["body","action"])"));
  r = bulk(c, u, {{"action", "pause"}, {"task_ids", json::array{}}}, 422);
  CHECK(loc_of(r) == json::parse(R"(["body","task_ids"])"));
  CHECK(type_of(r) == "too_short");
  std::vector<std::string> many(1001);
  for (std::size_t i = 0; i < many.size(); ++i)
    many[i] = "tsk_" + std::to_string(i);
  r = bulk(c, u, {{"action", "pause"}, {"task_ids", ids_of(many)}}, 422);
  CHECK(type_of(r) == "too_long");
  many.resize(1000);  // 1,000 is fine (all unknown: 404 each)
  r = bulk(c, u, {{"action", "pause"}, {"task_ids", ids_of(many)}});
  CHECK(r.at("results").as_array().size() == 1000);
  CHECK(r.at("matched") == 0);
  r = bulk(c, u, {{"action", "pause"}, {"task_ids", ids_of({a, "x", a})}}, 422);
  CHECK(loc_of(r) == json::parse(R"(["body","task_ids","2"])"));
  CHECK(type_of(r) == "duplicate");
  r = bulk(c, u, {{"action", "pause"}, {"task_ids", json::array{1}}}, 422);
  CHECK(loc_of(r) == json::parse(R"(["body","task_ids","0"])"));
  r = bulk(c, u, {{"action", "pause"}, {"task_ids", ids_of({a})}, {"filter", json::object{}}}, 422);
  CHECK(loc_of(r) == json::parse(R"(["body"])"));
  r = bulk(c, u, {{"action", "pause"}}, 422);
  CHECK(loc_of(r) == json::parse(R"(["body","task_ids"])"));
  r = bulk(c, u, {{"action", "pause"}, {"filter", {{"status", "sleeping"}}}}, 422);
  CHECK(loc_of(r) == json::parse(R"(["body","filter","status"])"));
  r = bulk(c, u, {{"action", "pause"}, {"filter", {{"colour", "red"}}}}, 422);
  CHECK(loc_of(r) == json::parse(R"(["body","filter","colour"])"));
  CHECK(type_of(r) == "extra_forbidden");
  r = bulk(c, u, {{"action", "pause"}, {"filter", {{"limit", "5"}}}}, 422);
  CHECK(loc_of(r) == json::parse(R"(["body","filter","limit"])"));
  r = bulk(c, u, {{"action", "pause"}, {"filter", "all"}}, 422);
  CHECK(loc_of(r) == json::parse(R"(["body","filter"])"));
  auto raw = c.Post("/api/v1/tasks/bulk", as_user(u), "{nope", "application/json");
  CHECK(raw->status == 422);
  raw = c.Post("/api/v1/tasks/bulk", {}, R"({"action":"pause","task_ids":["x"]})",
               "application/json");
  CHECK(raw->status == 401);
  CHECK(status_of(c, u, a) == "pending");
}

TEST_CASE("bulk: an Idempotency-Key replays the batch instead of running it twice",
          "[http][bulk][idempotency]") {
  auto c = test::tier_server("pro").client();
  const auto u = test::unique_user("bulk-idem");
  const auto a = todo(c, u, "once");
  httplib::Headers h{{"X-User-ID", u}, {"Idempotency-Key", "bulk-1"}};
  const auto body = json::serialize(json::object{{"action", "run"}, {"task_ids", ids_of({a})}});
  auto first = c.Post("/api/v1/tasks/bulk", h, body, "application/json");
  REQUIRE(first->status == 200);
  auto again = c.Post("/api/v1/tasks/bulk", h, body, "application/json");
  CHECK(again->status == 200);
  CHECK(again->body == first->body);
  CHECK(again->get_header_value("Idempotent-Replayed") == "true");
  bool done = false;
  for (int k = 0; k < 500 && !done; ++k) {
    done = body_json(c.Get("/api/v1/tasks/" + a, as_user(u))).at("run_count") == 1;
    if (!done) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(done);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(
      c.Get("/api/v1/tasks/" + a + "/executions", as_user(u))->get_header_value("X-Total-Count") ==
      "1");
}
