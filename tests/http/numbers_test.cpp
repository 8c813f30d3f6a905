// Numbers in JSON over HTTP (docs/api.md "Numbers in JSON"): what cannot be stored is a 422 at
// its location, what is accepted comes back equal, and a webhook answer that cannot be stored
// fails its run without poisoning the task or its owner's list.
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "http_fixture.hpp"
#include "support/stub_server.hpp"
#include "task/codec/json_numbers.hpp"

namespace json = boost::json;
using test::as_user;
using test::body_json;
using test::ServerUnderTest;

namespace {

/// The first validation error of a 422 response.
json::object first_error(const httplib::Result& r) {
  REQUIRE(r);
  INFO(r->body);
  REQUIRE(r->status == 422);
  return body_json(r).at("detail").at(0).as_object();
}

/// A response body that may nest deeper than Boost.JSON's default 32 levels (a page of tasks
/// around a value nested to the request limit).
json::value deep_body(const httplib::Result& r) {
  REQUIRE(r);
  boost::system::error_code ec;
  auto v = task::parse_json(r->body, ec, task::kMaxStoredJsonDepth + 4);
  INFO(r->body);
  REQUIRE_FALSE(ec);
  return v;
}

json::array loc(const char* text) {
  return json::parse(text).as_array();
}

}  // namespace

TEST_CASE("numbers: a value no store can hold is a 422 at its location", "[http][numbers]") {
  auto c = test::webhook_server().client();
  const auto u = test::unique_user("num");
  auto e = first_error(c.Post("/api/v1/tasks", as_user(u),
                              R"({"name":"p","task_type":"todo","config":{"x":1e309},
                                  "schedule":{"type":"once","run_at":"2026-11-30T00:00:00Z"}})",
                              "application/json"));
  CHECK(e.at("loc") == loc(R"(["body","config","x"])"));
  CHECK(e.at("type") == "finite_number");
  CHECK(e.at("msg") ==
        "Input should be a finite number: number beyond the range of a double at config.x");
  e = first_error(c.Post("/api/v1/tasks", as_user(u),
                         R"({"name":"p","task_type":"todo","metadata":{"a":{"b":[0,1,-1e400]}}})",
                         "application/json"));
  CHECK(e.at("loc") == loc(R"(["body","metadata","a","b","2"])"));
  e = first_error(c.Post("/api/v1/tasks/from-template", as_user(u),
                         R"({"template_id":"tpl_custom_webhook","name":"t",
                             "config":{"url":"https://example.com","n":1E400}})",
                         "application/json"));
  CHECK(e.at("loc") == loc(R"(["body","config","n"])"));
  e = first_error(c.Post("/api/v1/tasks", as_user(u),
                         R"({"name":"p","task_type":"todo","metadata":{"k":"a\u0000b"}})",
                         "application/json"));
  CHECK(e.at("loc") == loc(R"(["body","metadata","k"])"));
  CHECK(e.at("type") == "string_nul");
  // Nesting: 32 levels is the limit of a body (the body itself is one).
  const auto nested = [](int n) {
    return R"({"name":"d","task_type":"todo","metadata":{"x":)" + std::string(n, '[') +
           std::string(n, ']') + "}}";
  };
  auto r = c.Post("/api/v1/tasks", as_user(u), nested(30), "application/json");
  REQUIRE(r->status == 201);
  const std::string id(body_json(r).at("task_id").as_string());
  e = first_error(c.Post("/api/v1/tasks", as_user(u), nested(31), "application/json"));
  CHECK(e.at("type") == "json_invalid");

  e = first_error(c.Put("/api/v1/tasks/" + id, as_user(u), R"({"metadata":{"v":[1e309]}})",
                        "application/json"));
  CHECK(e.at("loc") == loc(R"(["body","metadata","v","0"])"));
  e = first_error(c.Post("/api/v1/tasks/" + id + "/execute", as_user(u),
                         R"({"trigger_type":"webhook","trigger_data":{"t":-1e309}})",
                         "application/json"));
  CHECK(e.at("loc") == loc(R"(["body","trigger_data","t"])"));

  // Nothing of the refused requests was stored; the owner's list works.
  r = c.Get("/api/v1/tasks", as_user(u));
  REQUIRE(r->status == 200);
  CHECK(deep_body(r).at("total") == 1);
  CHECK(c.Get("/api/v1/tasks/" + id, as_user(u))->status == 200);
}

TEST_CASE("numbers: accepted numbers come back exactly", "[http][numbers]") {
  auto c = test::webhook_server().client();
  const auto u = test::unique_user("exact");
  auto r = c.Post("/api/v1/tasks", as_user(u),
                  R"({"name":"n","task_type":"todo","config":{"a":0.1,"b":18446744073709551615,
                      "c":5e-324,"d":1.7976931348623157e308,"e":-0.0,"f":1e-400,
                      "g":18446744073709551616,"h":2.2250738585072011e-308,"i":1.0}})",
                  "application/json");
  REQUIRE(r->status == 201);
  const std::string id(body_json(r).at("task_id").as_string());
  for (const auto& body : {r->body, c.Get("/api/v1/tasks/" + id, as_user(u))->body,
                           c.Get("/api/v1/tasks", as_user(u))->body}) {
    INFO(body);
    for (const char* want :
         {R"("a":0.1)", R"("b":18446744073709551615)", R"("c":5e-324)",
          R"("d":1.7976931348623157e+308)", R"("e":0)", R"("f":0)", R"("g":18446744073709551616)",
          R"("h":2.225073858507201e-308)", R"("i":1)"})
      CHECK(body.find(want) != std::string::npos);
  }
}

TEST_CASE("numbers: a webhook answer that cannot be stored fails the run, not the task",
          "[http][numbers]") {
  task::testing::StubServer stub;
  stub.server().Post("/hot", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"temperature":1e309})", "application/json");
  });
  stub.start();

  auto c = test::webhook_server().client();
  const auto u = test::unique_user("hot");
  const auto id = test::create_webhook_task(c, u, "hot", stub.url() + "/hot");
  auto r = c.Post("/api/v1/tasks/" + id + "/execute", as_user(u), "", "application/json");
  REQUIRE(r->status == 200);
  const auto run = body_json(r);
  CHECK(run.at("status") == "failed");
  CHECK(run.at("error_message") ==
        "result not storable: number beyond the range of a double at result.body.temperature");
  CHECK(run.at("error_details").at("error_code") == "RESULT_NOT_STORABLE");
  CHECK(run.at("result").is_null());

  // The task, its history and the owner's list all read; the task can be deleted.
  r = c.Get("/api/v1/tasks/" + id, as_user(u));
  REQUIRE(r->status == 200);
  CHECK(body_json(r).at("last_result").is_null());
  CHECK(body_json(r).at("failure_count") == 1);
  CHECK(c.Get("/api/v1/tasks/" + id + "/executions", as_user(u))->status == 200);
  CHECK(c.Get("/api/v1/tasks", as_user(u))->status == 200);
  CHECK(c.Delete("/api/v1/tasks/" + id, as_user(u))->status == 200);
  stub.stop();

  // The skipped-row counter is exposed with the other counters.
  r = c.Get("/metrics");
  REQUIRE(r->status == 200);
  CHECK(r->body.find("task_store_unreadable_rows_total ") != std::string::npos);
}
