#include "http_fixture.hpp"

#include <jwt.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <random>

namespace test {

std::string test_database_url() {
  if (const char* v = std::getenv("TASK_TEST_DATABASE_URL"); v && *v) return v;
  static std::atomic<int> n{0};
  const auto dir = std::filesystem::temp_directory_path() /
                   ("task-http-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
  std::filesystem::remove_all(dir);
  return "sqlite://" + (dir / "tasks.db").string();
}

std::string unique_user(const std::string& name) {
  static const std::string run = [] {
    std::random_device rd;
    return std::to_string(rd() % 1000000000u);
  }();
  return name + "-" + run;
}

ServerUnderTest::ServerUnderTest(std::map<std::string, std::string> flags,
                                 task::server::ServerOptions options) {
  if (!flags.count("database-url")) flags["database-url"] = test_database_url();
  if (!flags.count("internal-secret")) flags["internal-secret"] = "test-internal-secret";
  if (!flags.count("log-level")) flags["log-level"] = "warn";
  if (!flags.count("scheduler")) flags["scheduler"] = "off";
  flags["port"] = "0";
  auto config = task::runtime::resolve_config(
      flags, [](const std::string&) -> std::optional<std::string> { return std::nullopt; });
  runtime_ = std::make_unique<task::runtime::Runtime>(config);
  server_ = std::make_unique<task::server::HttpServer>(*runtime_, std::move(options));
  port_ = server_->bind("127.0.0.1", 0);
  REQUIRE(port_ > 0);
  thread_ = std::thread([this] { server_->listen(); });
  for (int i = 0; i < 500 && !server_->is_running(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  REQUIRE(server_->is_running());
}

ServerUnderTest::~ServerUnderTest() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
  runtime_->shutdown();
}

httplib::Client ServerUnderTest::client() const {
  httplib::Client c("127.0.0.1", port_);
  c.set_read_timeout(std::chrono::seconds(30));
  return c;
}

boost::json::value body_json(const httplib::Result& r) {
  REQUIRE(r);
  boost::system::error_code ec;
  auto v = boost::json::parse(r->body, ec);
  INFO("body: " << r->body);
  REQUIRE(!ec);
  return v;
}

ServerUnderTest& shared_server(const std::map<std::string, std::string>& flags) {
  static std::mutex mu;
  static std::map<std::map<std::string, std::string>, std::unique_ptr<ServerUnderTest>> servers;
  std::lock_guard lock(mu);
  auto& server = servers[flags];
  if (!server) server = std::make_unique<ServerUnderTest>(flags);
  return *server;
}

boost::json::value create_task(httplib::Client& c, const std::string& user,
                               const std::string& body) {
  auto r = c.Post("/api/v1/tasks", as_user(user), body, "application/json");
  REQUIRE(r);
  INFO(r->body);
  REQUIRE(r->status == 201);
  return body_json(r);
}

std::string make_hs256(const std::string& secret, const boost::json::object& claims) {
  jwt_t* jwt = nullptr;
  REQUIRE(jwt_new(&jwt) == 0);
  // Any JSON claim value (strings, integers, fractions, booleans...), as a token issuer may write.
  if (!claims.empty())
    REQUIRE(jwt_add_grants_json(jwt, boost::json::serialize(claims).c_str()) == 0);
  REQUIRE(jwt_set_alg(jwt, JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(secret.data()),
                      static_cast<int>(secret.size())) == 0);
  char* text = jwt_encode_str(jwt);
  std::string out = text ? text : "";
  free(text);
  jwt_free(jwt);
  return out;
}

std::string create_task_id(httplib::Client& c, const std::string& user, const std::string& body) {
  return std::string(create_task(c, user, body).at("task_id").as_string());
}

std::string create_webhook_task(httplib::Client& c, const std::string& user,
                                const std::string& name, const std::string& url) {
  const auto body =
      boost::json::object{{"name", name}, {"task_type", "custom"}, {"config", {{"url", url}}}};
  return create_task_id(c, user, boost::json::serialize(body));
}

}  // namespace test
