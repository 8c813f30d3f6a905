#include <catch2/catch.hpp>

#include "task/runtime/config.hpp"

using namespace task::runtime;

namespace {
auto env_of(std::map<std::string, std::string> m) {
  return [m](const std::string& k) -> std::optional<std::string> {
    auto it = m.find(k);
    return it == m.end() ? std::nullopt : std::optional(it->second);
  };
}
}  // namespace

TEST_CASE("configuration: defaults, environment, then flags win", "[config]") {
  auto c = resolve_config({}, env_of({}));
  CHECK(c.port == 8211);
  CHECK(c.database_url == "sqlite://./data/tasks.db");
  CHECK(c.scheduler);
  CHECK(c.default_tier == "basic");
  CHECK_FALSE(c.webhook_allow_private);

  c = resolve_config({}, env_of({{"SERVICE_PORT", "9000"}, {"TASK_DATA_DIR", "/srv/t"}}));
  CHECK(c.port == 9000);
  CHECK(c.database_url == "sqlite:///srv/t/tasks.db");

  c = resolve_config({{"port", "9100"}}, env_of({{"TASK_PORT", "9000"}, {"SERVICE_PORT", "1"}}));
  CHECK(c.port == 9100);
  c = resolve_config({}, env_of({{"TASK_PORT", "9000"}, {"SERVICE_PORT", "1"}}));
  CHECK(c.port == 9000);
}

TEST_CASE("configuration: POSTGRES_HOST builds a URL; secrets are not printed", "[config]") {
  auto c = resolve_config({}, env_of({{"POSTGRES_HOST", "db"},
                                      {"POSTGRES_PORT", "5433"},
                                      {"TASK_INTERNAL_SECRET", "s3cret"}}));
  CHECK(c.database_url == "postgresql://postgres@db:5433/task_service");
  CHECK(c.internal_secret == "s3cret");
  const auto d = c.describe();
  CHECK(d.find("s3cret") == std::string::npos);
  CHECK(d.find("internal-secret=***") != std::string::npos);
  c = resolve_config({{"database-url", "postgresql://app:pw@h/db"}}, env_of({}));
  CHECK(c.describe().find("pw@") == std::string::npos);
  CHECK(c.database_url == "postgresql://app:pw@h/db");
}

TEST_CASE("configuration: bad values are refused with a clear message", "[config]") {
  CHECK_THROWS_WITH(resolve_config({{"port", "abc"}}, env_of({})),
                    Catch::Contains("--port: 'abc'"));
  CHECK_THROWS_AS(resolve_config({{"port", "70000"}}, env_of({})), std::invalid_argument);
  CHECK_THROWS_AS(resolve_config({{"scheduler", "maybe"}}, env_of({})), std::invalid_argument);
  CHECK_THROWS_AS(resolve_config({{"default-tier", "gold"}}, env_of({})), std::invalid_argument);
  CHECK_THROWS_AS(resolve_config({{"workers", "0"}}, env_of({})), std::invalid_argument);
  CHECK_THROWS_AS(resolve_config({{"log-level", "loud"}}, env_of({})), std::invalid_argument);
}

TEST_CASE("configuration: worker-only mode is --http off or TASK_HTTP=off", "[config]") {
  CHECK(resolve_config({}, env_of({})).http);
  CHECK_FALSE(resolve_config({{"http", "off"}}, env_of({})).http);
  CHECK_FALSE(resolve_config({}, env_of({{"TASK_HTTP", "off"}})).http);
  CHECK_THROWS_AS(resolve_config({{"http", "sometimes"}}, env_of({})), std::invalid_argument);
}

TEST_CASE("configuration: LOG_LEVEL takes the design document's names in any case", "[config]") {
  const std::pair<const char*, const char*> cases[] = {
      {"INFO", "info"},   {"DEBUG", "debug"}, {"WARNING", "warn"},   {"warning", "warn"},
      {"Warn", "warn"},   {"ERROR", "error"}, {"CRITICAL", "error"}, {"critical", "error"},
      {"debug", "debug"}, {"iNfO", "info"}};
  for (const auto& [given, want] : cases) {
    INFO(given);
    CHECK(resolve_config({}, env_of({{"LOG_LEVEL", given}})).log_level == want);
    CHECK(resolve_config({{"log-level", given}}, env_of({})).log_level == want);
  }
  CHECK(resolve_config({}, env_of({})).log_level == "info");
  CHECK(resolve_config({}, env_of({{"LOG_LEVEL", "INFO"}})).values.at("log-level") == "info");
  CHECK_THROWS_WITH(resolve_config({}, env_of({{"LOG_LEVEL", "LOUD"}})),
                    Catch::Contains("'LOUD' is not one of debug, info, warn (warning)"));
  CHECK_THROWS_AS(resolve_config({}, env_of({{"LOG_LEVEL", ""}})), std::invalid_argument);
}

TEST_CASE("configuration: the design document's environment names", "[config]") {
  auto c = resolve_config({}, env_of({{"POSTGRES_HOST", "db.internal"},
                                      {"POSTGRES_PORT", "50061"},
                                      {"POSTGRES_USER", "task"},
                                      {"POSTGRES_PASSWORD", "p@ss:w/rd"},
                                      {"POSTGRES_DB", "tasks"},
                                      {"SERVICE_NAME", "task_service_eu"},
                                      {"SERVICE_PORT", "8300"},
                                      {"NATS_URL", "nats://nats:4222"}}));
  CHECK(c.database_url == "postgresql://task:p%40ss%3Aw%2Frd@db.internal:50061/tasks");
  CHECK(c.describe().find("p%40ss") == std::string::npos);
  CHECK(c.port == 8300);
  CHECK(c.nats_url == "nats://nats:4222");
  CHECK(c.values.at("service-name") == "task_service_eu");
  CHECK(resolve_config({}, env_of({})).values.at("service-name") == "task_service");
  // An explicit URL wins over POSTGRES_HOST.
  c = resolve_config({}, env_of({{"POSTGRES_HOST", "db"}, {"TASK_DATABASE_URL", "memory:"}}));
  CHECK(c.database_url == "memory:");
  CHECK_THROWS_AS(resolve_config({}, env_of({{"SERVICE_NAME", ""}})), std::invalid_argument);
}

TEST_CASE("configuration: --reuse-port / TASK_REUSE_PORT is on/off, off by default", "[config]") {
  CHECK(resolve_config({}, env_of({})).values.at("reuse-port") == "off");
  CHECK(resolve_config({{"reuse-port", "on"}}, env_of({})).values.at("reuse-port") == "on");
  CHECK(resolve_config({}, env_of({{"TASK_REUSE_PORT", "true"}})).values.at("reuse-port") == "on");
  CHECK_THROWS_WITH(resolve_config({}, env_of({{"TASK_REUSE_PORT", "sometimes"}})),
                    Catch::Contains("--reuse-port: 'sometimes' is not on/off"));
}

TEST_CASE("configuration: Consul agent settings", "[config]") {
  auto c = resolve_config({}, env_of({{"CONSUL_HOST", "consul"}}));
  CHECK(c.values.at("consul-host") == "consul");
  CHECK(c.values.at("consul-port") == "8500");
  c = resolve_config({}, env_of({{"CONSUL_HTTP_ADDR", "http://127.0.0.1:8600"}}));
  CHECK(c.values.at("consul-http-addr") == "http://127.0.0.1:8600");
  CHECK(resolve_config({}, env_of({})).values.at("consul-host").empty());
}
