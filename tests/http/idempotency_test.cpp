// Idempotency-Key on the keyed POSTs (docs/api.md §16; Part 2 "Idempotency keys") against the
// in-process server over the real database (SQLite file or PostgreSQL), two servers sharing it.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <optional>
#include <thread>

#include "http_fixture.hpp"
#include "idempotency.hpp"
#include "support/stub_server.hpp"

namespace json = boost::json;
using test::body_json;
using test::ServerUnderTest;

namespace {

/// A second "replica" on the same database as test::webhook_server().
ServerUnderTest& server_b() {
  static ServerUnderTest server(std::map<std::string, std::string>{
      {"webhook-allow-private", "on"},
      {"default-tier", "pro"},
      {"database-url", test::webhook_server().runtime().config().database_url}});
  return server;
}

httplib::Headers keyed(const std::string& user, const std::string& key) {
  return {{"X-User-ID", user}, {"Idempotency-Key", key}};
}

std::string todo_body(const std::string& name) {
  return json::serialize(json::object{{"name", name}, {"task_type", "todo"}});
}

/// Non-deleted tasks of `user` whose name contains `name`.
std::int64_t count_named(httplib::Client& c, const std::string& user, const std::string& name) {
  auto r = c.Get("/api/v1/tasks?q=" + name, {{"X-User-ID", user}});
  REQUIRE(r);
  REQUIRE(r->status == 200);
  return body_json(r).at("total").as_int64();
}

std::string first_error_type(const httplib::Result& r) {
  const auto v = body_json(r);
  return std::string(v.at("detail").at(0).at("type").as_string());
}

json::value first_error_loc(const httplib::Result& r) {
  return body_json(r).at("detail").at(0).at("loc");
}

/// The value of one counter line of /metrics (-1 when absent).
double metric(httplib::Client& c, const std::string& series) {
  auto r = c.Get("/metrics");
  REQUIRE(r);
  const auto at = r->body.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(r->body.substr(at + series.size() + 2));
}

}  // namespace

TEST_CASE("idempotency: a repeated create replays the first response byte for byte",
          "[http][idempotency]") {
  auto c = test::webhook_server().client();
  const auto u = test::unique_user("idem-create");
  const std::string series = R"(task_idempotency_replays_total{route="/api/v1/tasks"})";
  const double replays_before = metric(c, series);
  CHECK(replays_before >= 0);

  auto first =
      c.Post("/api/v1/tasks", keyed(u, "create-1"), todo_body("idem-one"), "application/json");
  REQUIRE(first);
  REQUIRE(first->status == 201);
  CHECK_FALSE(first->has_header("Idempotent-Replayed"));
  // The same request again through `via`: the first answer, marked as replayed.
  auto replayed = [&](httplib::Client& via) {
    auto again =
        via.Post("/api/v1/tasks", keyed(u, "create-1"), todo_body("idem-one"), "application/json");
    REQUIRE(again);
    CHECK(again->status == 201);
    CHECK(again->body == first->body);
    CHECK(again->get_header_value("Idempotent-Replayed") == "true");
    return again;
  };
  for (int i = 0; i < 2; ++i) {
    auto again = replayed(c);
    CHECK(again->get_header_value("ETag") == first->get_header_value("ETag"));
    CHECK(again->get_header_value("Content-Type") == first->get_header_value("Content-Type"));
    CHECK(again->get_header_value("X-Request-ID") != first->get_header_value("X-Request-ID"));
  }
  CHECK(count_named(c, u, "idem-one") == 1);
  CHECK(metric(c, series) == replays_before + 2);

  // The other replica answers the same (the record is in the database).
  auto b = server_b().client();
  replayed(b);
  CHECK(count_named(c, u, "idem-one") == 1);

  // Without a key nothing is replayed.
  auto plain =
      c.Post("/api/v1/tasks", {{"X-User-ID", u}}, todo_body("idem-one"), "application/json");
  REQUIRE(plain->status == 201);
  CHECK(plain->body != first->body);
  CHECK(count_named(c, u, "idem-one") == 2);
}

TEST_CASE("idempotency: the same key with another request is a 422 idempotency_key_reuse",
          "[http][idempotency]") {
  auto c = test::webhook_server().client();
  const auto u = test::unique_user("idem-reuse");
  REQUIRE(c.Post("/api/v1/tasks", keyed(u, "k"), todo_body("idem-reuse-a"), "application/json")
              ->status == 201);
  auto r = c.Post("/api/v1/tasks", keyed(u, "k"), todo_body("idem-reuse-b"), "application/json");
  REQUIRE(r);
  CHECK(r->status == 422);
  CHECK(first_error_type(r) == "idempotency_key_reuse");
  CHECK(first_error_loc(r) == json::parse(R"(["header","Idempotency-Key"])"));
  // Another path with the same key and body is another request too.
  r = c.Post("/api/v1/tasks/from-template", keyed(u, "k"), todo_body("idem-reuse-a"),
             "application/json");
  CHECK(r->status == 422);
  CHECK(first_error_type(r) == "idempotency_key_reuse");
  CHECK(count_named(c, u, "idem-reuse") == 1);
  CHECK(metric(c, R"(task_idempotency_rejections_total{reason="key_reuse"})") >= 2);
}

TEST_CASE("idempotency: malformed keys are 422 and change nothing", "[http][idempotency]") {
  auto c = test::webhook_server().client();
  const auto u = test::unique_user("idem-bad");
  const std::string too_long(256, 'k');
  for (const std::string& key : {too_long, std::string("tab\there"), std::string("caf\xc3\xa9")}) {
    INFO("key " << key);
    auto r = c.Post("/api/v1/tasks", keyed(u, key), todo_body("idem-bad"), "application/json");
    REQUIRE(r);
    CHECK(r->status == 422);
    CHECK(first_error_loc(r) == json::parse(R"(["header","Idempotency-Key"])"));
    CHECK(first_error_type(r) == "value_error");
  }
  // A DEL is refused at the boundary with the other control characters (400, docs/security.md).
  CHECK(c.Post("/api/v1/tasks", keyed(u, "del\x7f"), todo_body("idem-bad"), "application/json")
            ->status == 400);
  // Given twice.
  httplib::Headers twice{{"X-User-ID", u}, {"Idempotency-Key", "a"}, {"Idempotency-Key", "a"}};
  auto r = c.Post("/api/v1/tasks", twice, todo_body("idem-bad"), "application/json");
  CHECK(r->status == 422);
  CHECK(count_named(c, u, "idem-bad") == 0);
  // 255 characters and spaces inside are fine.
  r = c.Post("/api/v1/tasks", keyed(u, std::string(255, 'k')), todo_body("idem-bad"),
             "application/json");
  CHECK(r->status == 201);
  r = c.Post("/api/v1/tasks", keyed(u, "a key ~!@#$%^&*()"), todo_body("idem-bad"),
             "application/json");
  CHECK(r->status == 201);
  // Authentication comes first: no caller, 401.
  r = c.Post("/api/v1/tasks", {{"Idempotency-Key", too_long}}, todo_body("x"), "application/json");
  CHECK(r->status == 401);
}

TEST_CASE("idempotency: another user's same key is independent", "[http][idempotency]") {
  auto c = test::webhook_server().client();
  const auto u = test::unique_user("idem-u1");
  const auto v = test::unique_user("idem-u2");
  auto a =
      c.Post("/api/v1/tasks", keyed(u, "shared"), todo_body("idem-shared"), "application/json");
  auto b =
      c.Post("/api/v1/tasks", keyed(v, "shared"), todo_body("idem-shared"), "application/json");
  REQUIRE(a->status == 201);
  REQUIRE(b->status == 201);
  CHECK_FALSE(b->has_header("Idempotent-Replayed"));
  CHECK(body_json(a).at("user_id") == u.c_str());
  CHECK(body_json(b).at("user_id") == v.c_str());
  CHECK(count_named(c, u, "idem-shared") == 1);
  CHECK(count_named(c, v, "idem-shared") == 1);
  // A different body under v's key is v's own business: a reuse for v only.
  auto other =
      c.Post("/api/v1/tasks", keyed(v, "shared"), todo_body("idem-shared-2"), "application/json");
  CHECK(other->status == 422);
}

TEST_CASE("idempotency: failures are not stored, so the key can be retried",
          "[http][idempotency]") {
  auto c = test::webhook_server().client();
  const auto u = test::unique_user("idem-fail");
  auto r = c.Post("/api/v1/tasks", keyed(u, "k"), R"({"name":"idem-fail","task_type":"bogus"})",
                  "application/json");
  REQUIRE(r->status == 422);
  r = c.Post("/api/v1/tasks", keyed(u, "k"), R"({"name":"idem-fail","task_type":"todo"})",
             "application/json");
  CHECK(r->status == 201);
  CHECK_FALSE(r->has_header("Idempotent-Replayed"));
  // Execute of a missing task: 404, not stored; the key is free for the real one.
  r = c.Post("/api/v1/tasks/tsk_missing/execute", keyed(u, "run"), "", "application/json");
  CHECK(r->status == 404);
  const std::string id(body_json(r = c.Post("/api/v1/tasks", {{"X-User-ID", u}},
                                            todo_body("idem-fail-run"), "application/json"))
                           .at("task_id")
                           .as_string());
  r = c.Post("/api/v1/tasks/" + id + "/execute", keyed(u, "run2"), "", "application/json");
  CHECK(r->status == 200);
}

TEST_CASE("idempotency: a repeated execute runs once; from-template replays",
          "[http][idempotency]") {
  auto c = test::webhook_server().client();
  const auto u = test::unique_user("idem-exec");
  auto r = c.Post("/api/v1/tasks/from-template", keyed(u, "tpl"),
                  R"({"template_id":"tpl_todo","name":"idem-tpl"})", "application/json");
  REQUIRE(r->status == 201);
  auto again = c.Post("/api/v1/tasks/from-template", keyed(u, "tpl"),
                      R"({"template_id":"tpl_todo","name":"idem-tpl"})", "application/json");
  CHECK(again->status == 201);
  CHECK(again->body == r->body);
  CHECK(again->get_header_value("Idempotent-Replayed") == "true");
  CHECK(count_named(c, u, "idem-tpl") == 1);

  const std::string id(body_json(r).at("task_id").as_string());
  auto run = c.Post("/api/v1/tasks/" + id + "/execute", keyed(u, "exec"), "", "application/json");
  REQUIRE(run->status == 200);
  auto rerun = c.Post("/api/v1/tasks/" + id + "/execute", keyed(u, "exec"), "", "application/json");
  CHECK(rerun->status == 200);
  CHECK(rerun->body == run->body);
  CHECK(rerun->get_header_value("Idempotent-Replayed") == "true");
  auto task = c.Get("/api/v1/tasks/" + id, {{"X-User-ID", u}});
  CHECK(body_json(task).at("run_count") == 1);
  auto list = c.Get("/api/v1/tasks/" + id + "/executions", {{"X-User-ID", u}});
  CHECK(list->get_header_value("X-Total-Count") == "1");
}

TEST_CASE("idempotency: while the first request runs the same one is a 409",
          "[http][idempotency]") {
  // A webhook that answers after 1.5 s keeps the first execute in progress.
  task::testing::StubServer stub;
  std::atomic<int> hits{0};
  stub.server().Post("/slow", [&](const httplib::Request&, httplib::Response& res) {
    ++hits;
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    res.set_content(R"({"ok":true})", "application/json");
  });
  stub.start();

  auto c = test::webhook_server().client();
  const auto u = test::unique_user("idem-busy");
  const std::string path = "/api/v1/tasks/" +
                           test::create_webhook_task(c, u, "idem-busy", stub.url() + "/slow") +
                           "/execute";
  std::optional<httplib::Response> first;
  std::thread runner([&] {
    auto own = test::webhook_server().client();
    if (auto r = own.Post(path, keyed(u, "busy"), "", "application/json")) first = *r;
  });
  for (int i = 0; i < 1000 && hits.load() == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  REQUIRE(hits.load() == 1);
  auto busy = c.Post(path, keyed(u, "busy"), "", "application/json");
  CHECK(busy->status == 409);
  CHECK(busy->get_header_value("Retry-After") == "1");
  // On the other replica too.
  auto busy_b = server_b().client().Post(path, keyed(u, "busy"), "", "application/json");
  CHECK(busy_b->status == 409);
  runner.join();
  REQUIRE(first);
  CHECK(first->status == 200);
  auto after = c.Post(path, keyed(u, "busy"), "", "application/json");
  CHECK(after->status == 200);
  CHECK(after->body == first->body);
  CHECK(hits.load() == 1);  // ran once
  stub.stop();
}

TEST_CASE("idempotency: a record left in progress by a dead request frees its key after the lease",
          "[http][idempotency]") {
  auto& store = test::webhook_server().runtime().repository();
  auto c = test::webhook_server().client();
  const auto u = test::unique_user("idem-dead");
  const auto body = todo_body("idem-dead");
  const auto now = test::webhook_server().runtime().clock().now();
  task::IdempotencyRecord stale;
  stale.user_id = u;
  stale.key = "dead";
  stale.request_hash = task::server::idempotency_fingerprint("POST", "/api/v1/tasks", body);
  stale.owner = "a-process-that-died";
  stale.created_at = now - std::chrono::minutes(2);
  stale.expires_at = now + std::chrono::minutes(1);
  REQUIRE(store.begin_idempotent(stale, now).claim == task::IdempotencyClaim::claimed);
  // Within its lease: 409.
  CHECK(c.Post("/api/v1/tasks", keyed(u, "dead"), body, "application/json")->status == 409);
  // A lease that ended: the key is taken over and the request runs.
  stale.key = "dead2";
  stale.expires_at = now - std::chrono::seconds(1);
  REQUIRE(store.begin_idempotent(stale, now - std::chrono::minutes(2)).claim ==
          task::IdempotencyClaim::claimed);
  auto r = c.Post("/api/v1/tasks", keyed(u, "dead2"), body, "application/json");
  CHECK(r->status == 201);
  CHECK_FALSE(r->has_header("Idempotent-Replayed"));
  const auto rec = store.find_idempotency(u, "dead2");
  REQUIRE(rec);
  CHECK(rec->completed);
  CHECK(rec->body == r->body);
  CHECK(rec->expires_at == rec->created_at + task::server::kIdempotencyLifetime);
}

TEST_CASE("idempotency: two replicas racing with one key create exactly one task",
          "[http][idempotency][race]") {
  auto& a = test::webhook_server();
  auto& b = server_b();
  const auto u = test::unique_user("idem-race");
  constexpr int kRounds = 25;
  int replays = 0, conflicts = 0;
  for (int round = 0; round < kRounds; ++round) {
    const auto name = "idem-race-" + std::to_string(round) + "-x";
    const auto key = "race-" + std::to_string(round);
    std::atomic<int> ready{0};
    std::optional<httplib::Response> results[2];
    auto fire = [&](int i, ServerUnderTest& s) {
      auto c = s.client();
      c.Get("/health");  // connected before the start line
      ++ready;
      while (ready.load() < 2)
        std::this_thread::yield();
      if (auto r = c.Post("/api/v1/tasks", keyed(u, key), todo_body(name), "application/json"))
        results[i] = *r;
    };
    std::thread ta(fire, 0, std::ref(a));
    std::thread tb(fire, 1, std::ref(b));
    ta.join();
    tb.join();
    REQUIRE(results[0]);
    REQUIRE(results[1]);
    int created = 0;
    for (auto& r : results) {
      INFO("status " << r->status << " body " << r->body);
      CHECK((r->status == 201 || r->status == 409));
      if (r->status == 201 && !r->has_header("Idempotent-Replayed")) ++created;
      if (r->status == 201 && r->has_header("Idempotent-Replayed")) ++replays;
      if (r->status == 409) ++conflicts;
    }
    CHECK(created == 1);
    if (results[0]->status == 201 && results[1]->status == 201)
      CHECK(results[0]->body == results[1]->body);
    auto c = a.client();
    CHECK(count_named(c, u, name) == 1);
  }
  // Both outcomes of losing the race are fine; print how it went.
  WARN("rounds " << kRounds << ": " << conflicts << " loser(s) saw 409, " << replays
                 << " got the replay");
}
