// Provider executors against stub providers on 127.0.0.1.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>
#include <chrono>

#include "stub_provider.hpp"
#include "task/core/errors.hpp"

namespace json = boost::json;
using namespace task;
using task::test::context;
using task::test::error_code;

namespace {

void serve_json(httplib::Server& s, const std::string& path, const std::string& body,
                std::string* seen_query = nullptr) {
  s.Get(path, [body, seen_query](const httplib::Request& req, httplib::Response& res) {
    if (seen_query) {
      *seen_query = "";
      for (const auto& [k, v] : req.params)
        *seen_query += k + "=" + v + ";";
    }
    res.set_content(body, "application/json");
  });
}

/// A stub provider serving `body` at `path` (started), and a test config whose provider URL
/// `url` points at it.
struct ServedProvider {
  ServedProvider(const std::string& path, const std::string& body,
                 std::string executors::ProviderConfig::*url) {
    serve_json(stub.server(), path, body, &query);
    stub.start();
    cfg.*url = stub.url();
  }
  std::string query;  ///< of the last request, as "key=value;" pairs
  executors::ProviderConfig cfg = test::test_config();
  test::StubProvider stub;
};

json::object weather_alert_config(std::string op, double value) {
  return {{"location", "Berlin"},
          {"alert_conditions", {{"temperature", {{"operator", op}, {"value", value}}}}}};
}

}  // namespace

TEST_CASE("daily_weather reports the provider's weather and notifies") {
  ServedProvider provider(
      "/weather", R"({"location":"Berlin","temperature":21.5,"conditions":"cloudy","humidity":60})",
      &executors::ProviderConfig::weather_url);
  const auto& cfg = provider.cfg;
  const auto& query = provider.query;
  auto notifier = std::make_shared<test::RecordingNotifier>();
  auto exec = executors::make_weather_executor(cfg, notifier);
  auto out = exec->run(context(TaskType::daily_weather, {{"location", "Berlin"}}));
  REQUIRE(out.success);
  CHECK(query == "location=Berlin;");
  const auto& r = out.result.get_object();
  CHECK(r.at("weather").at("temperature").as_double() == 21.5);
  CHECK(r.at("weather").at("conditions").as_string() == "cloudy");
  CHECK(r.at("notified").as_bool());
  REQUIRE(notifier->sent().size() == 1);
  CHECK(notifier->sent()[0].user_id == "user-1");
  CHECK(out.api_calls_made == 1);
}

TEST_CASE("weather_alert notifies only when a condition matches") {
  ServedProvider provider(
      "/weather",
      R"({"location":"Berlin","temperature":31,"conditions":"sunny","wind":{"speed":12}})",
      &executors::ProviderConfig::weather_url);
  const auto& cfg = provider.cfg;

  struct Case {
    std::string op;
    double value;
    bool expect;
  };
  for (const auto& c : std::vector<Case>{{">", 30, true},
                                         {">", 31, false},
                                         {">=", 31, true},
                                         {"<", 31, false},
                                         {"<=", 31, true},
                                         {"==", 31, true},
                                         {"!=", 31, false},
                                         {"!=", 5, true}}) {
    auto notifier = std::make_shared<test::RecordingNotifier>();
    auto exec = executors::make_weather_executor(cfg, notifier);
    auto out = exec->run(context(TaskType::weather_alert, weather_alert_config(c.op, c.value)));
    INFO("temperature 31 " << c.op << " " << c.value);
    REQUIRE(out.success);
    CHECK(out.result.at("alert_triggered").as_bool() == c.expect);
    CHECK(notifier->sent().size() == (c.expect ? 1u : 0u));
  }

  SECTION("string equality, nested fields and unevaluable conditions") {
    auto notifier = std::make_shared<test::RecordingNotifier>();
    auto exec = executors::make_weather_executor(cfg, notifier);
    json::object conds{{"conditions",
                        {{
                             "operator",
                             "==",
                         },
                         {"value", "sunny"}}},
                       {"wind.speed",
                        {{
                             "operator",
                             ">",
                         },
                         {"value", 10}}},
                       {"pressure", {{"operator", ">"}, {"value", 1}}}};
    auto out = exec->run(
        context(TaskType::weather_alert, {{"location", "Berlin"}, {"alert_conditions", conds}}));
    REQUIRE(out.success);
    CHECK(out.result.at("matched_conditions").as_array().size() == 2);
    CHECK(out.result.at("unevaluated_conditions").as_array().size() == 1);
    CHECK(notifier->sent().size() == 1);
  }
}

TEST_CASE("news_monitor reports only matching articles that are new since the previous run") {
  ServedProvider provider("/news", R"({"articles":[
      {"title":"Rust 2.0 released","url":"https://n/1","summary":"a language"},
      {"title":"C++26 news","url":"https://n/2","summary":"Committee met"},
      {"title":"Gardening tips","url":"https://n/3","summary":"tomatoes"}]})",
                          &executors::ProviderConfig::news_url);
  const auto& cfg = provider.cfg;
  const auto& query = provider.query;
  auto notifier = std::make_shared<test::RecordingNotifier>();
  auto exec = executors::make_news_executor(cfg, notifier);
  json::object config{{"keywords", {"c++26", "rust"}}};

  auto first = exec->run(context(TaskType::news_monitor, config));
  REQUIRE(first.success);
  CHECK(query.find("q=c++26,rust;") != std::string::npos);
  CHECK(first.result.at("new_count").as_int64() == 2);
  CHECK(first.result.at("articles").as_array().size() == 2);
  CHECK(notifier->sent().size() == 1);

  SECTION("the same feed again: nothing new, no notification") {
    auto again = exec->run(context(TaskType::news_monitor, config, first.result));
    REQUIRE(again.success);
    CHECK(again.result.at("new_count").as_int64() == 0);
    CHECK(notifier->sent().size() == 1);
  }
  SECTION("one article unseen by the previous result is new") {
    auto previous = json::parse(R"({"articles":[{"title":"C++26 news","url":"https://n/2"}]})");
    auto out = exec->run(context(TaskType::news_monitor, config, previous));
    REQUIRE(out.success);
    REQUIRE(out.result.at("new_count").as_int64() == 1);
    CHECK(out.result.at("new_articles").at(0).at("url").as_string() == "https://n/1");
    CHECK(notifier->sent().size() == 2);
  }
}

TEST_CASE("daily_news returns up to limit articles") {
  ServedProvider provider("/news", R"({"articles":[{"title":"a"},{"title":"b"},{"title":"c"}]})",
                          &executors::ProviderConfig::news_url);
  const auto& cfg = provider.cfg;
  const auto& query = provider.query;
  auto exec = executors::make_news_executor(cfg, nullptr);
  auto out = exec->run(context(TaskType::daily_news, {{"category", "tech"}, {"limit", 2}}));
  REQUIRE(out.success);
  CHECK(query.find("category=tech;") != std::string::npos);
  CHECK(out.result.at("count").as_int64() == 2);
  CHECK_FALSE(out.result.at("notified").as_bool());  // no notifier configured
}

TEST_CASE("price_tracker notifies at or below the target price") {
  ServedProvider provider("/price",
                          R"({"product_url":"https://shop/x","price":19.99,"currency":"EUR"})",
                          &executors::ProviderConfig::price_url);
  const auto& cfg = provider.cfg;
  const auto& query = provider.query;
  for (const auto& [target, expect] :
       std::vector<std::pair<double, bool>>{{20.0, true}, {19.99, true}, {19.0, false}}) {
    auto notifier = std::make_shared<test::RecordingNotifier>();
    auto exec = executors::make_price_executor(cfg, notifier);
    auto out =
        exec->run(context(TaskType::price_tracker,
                          {{"product_url", "https://shop/x?a=1&b=2"}, {"target_price", target}}));
    INFO("target " << target);
    REQUIRE(out.success);
    CHECK(query == "url=https://shop/x?a=1&b=2;");
    CHECK(out.result.at("target_reached").as_bool() == expect);
    CHECK(out.result.at("currency").as_string() == "EUR");
    CHECK(notifier->sent().size() == (expect ? 1u : 0u));
  }
}

TEST_CASE("provider failures become failed runs with an error code") {
  test::StubProvider stub;
  stub.server().Get("/slow/weather", [](const httplib::Request&, httplib::Response& res) {
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    res.set_content("{}", "application/json");
  });
  stub.server().Get("/down/weather", [](const httplib::Request&, httplib::Response& res) {
    res.status = 503;
    res.set_content("maintenance", "text/plain");
  });
  stub.server().Get("/garbage/weather", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("{not json", "application/json");
  });
  stub.server().Get("/garbage/price", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"price":"cheap"})", "application/json");
  });
  stub.start();
  auto cfg = test::test_config();
  // A daily_weather run against the weather provider at `url`.
  auto weather_at = [&](const std::string& url) {
    cfg.weather_url = url;
    return executors::make_weather_executor(cfg, nullptr)
        ->run(context(TaskType::daily_weather, {{"location", "Berlin"}}));
  };

  SECTION("timeout") {
    const auto t0 = std::chrono::steady_clock::now();
    auto out = weather_at(stub.url() + "/slow");
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(650));
    CHECK_FALSE(out.success);
    CHECK(error_code(out) == "PROVIDER_TIMEOUT");
    CHECK(out.error_message->find("timed out") != std::string::npos);
  }
  SECTION("non-2xx") {
    auto out = weather_at(stub.url() + "/down");
    CHECK_FALSE(out.success);
    CHECK(error_code(out) == "PROVIDER_HTTP_STATUS");
    CHECK(out.error_details.at("status").as_int64() == 503);
  }
  SECTION("invalid JSON, nothing listening") {
    for (const auto& [url, code] : std::vector<std::pair<std::string, std::string>>{
             {stub.url() + "/garbage", "PROVIDER_BAD_RESPONSE"},
             {"http://127.0.0.1:1", "PROVIDER_UNREACHABLE"}}) {
      INFO(url);
      auto out = weather_at(url);
      CHECK_FALSE(out.success);
      CHECK(error_code(out) == code);
    }
  }
  SECTION("JSON without the expected fields") {
    cfg.price_url = stub.url() + "/garbage";
    auto out = executors::make_price_executor(cfg, nullptr)
                   ->run(context(TaskType::price_tracker,
                                 {{"product_url", "https://x"}, {"target_price", 1}}));
    CHECK_FALSE(out.success);
    CHECK(error_code(out) == "PROVIDER_BAD_RESPONSE");
  }
}

TEST_CASE("an unconfigured provider fails the run, never makes up a result") {
  const auto cfg = test::test_config();  // no URLs
  ExecutorRegistry registry;
  executors::register_providers(registry, cfg, nullptr, nullptr);
  const std::vector<std::pair<TaskType, json::object>> cases{
      {TaskType::daily_weather, {{"location", "Berlin"}}},
      {TaskType::weather_alert, weather_alert_config(">", 1)},
      {TaskType::daily_news, {}},
      {TaskType::news_monitor, {{"keywords", {"x"}}}},
      {TaskType::price_tracker, {{"product_url", "https://x"}, {"target_price", 1}}}};
  for (const auto& [type, config] : cases) {
    INFO(to_string(type));
    auto out = registry.at(type)->run(context(type, config));
    CHECK_FALSE(out.success);
    CHECK(out.result.is_null());
    CHECK(error_code(out) == "PROVIDER_NOT_CONFIGURED");
    CHECK(out.error_message->find("not configured") != std::string::npos);
  }
  CHECK(registry.contains(TaskType::data_backup));
}

TEST_CASE("the calendar client PUTs the event and reports failures") {
  test::StubProvider stub;
  std::string body, path;
  stub.server().Put(R"(/cal/events/(.+))",
                    [&](const httplib::Request& req, httplib::Response& res) {
                      body = req.body;
                      path = req.path;
                      res.status = req.matches[1] == "tsk_bad" ? 500 : 204;
                    });
  stub.start();
  auto cfg = test::test_config();
  cfg.calendar_url = stub.url() + "/cal";
  auto cal = executors::make_calendar_client(cfg);
  Task t;
  t.task_id = "tsk_1";
  t.user_id = "u";
  t.name = "Dentist";
  t.task_type = TaskType::calendar_event;
  t.config = {{"event_time", "2026-03-01T10:00:00Z"}};
  cal->upsert_event(t);
  CHECK(path == "/cal/events/tsk_1");
  CHECK(json::parse(body).at("event_time").as_string() == "2026-03-01T10:00:00Z");
  t.task_id = "tsk_bad";
  CHECK_THROWS_AS(cal->upsert_event(t), Unavailable);
  cfg.calendar_url = "";
  CHECK_THROWS_AS(executors::make_calendar_client(cfg)->upsert_event(t), Unavailable);
}
