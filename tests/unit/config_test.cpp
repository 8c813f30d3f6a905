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
