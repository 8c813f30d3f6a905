#include "task/runtime/config.hpp"

#include "task/core/text.hpp"
#include "task/rules/fair_turns.hpp"

#include <cctype>
#include <cstdlib>
#include <stdexcept>

namespace task::runtime {

const std::vector<Setting>& settings() {
  static const std::vector<Setting> kSettings = {
      {"http",
       {"TASK_HTTP"},
       "on",
       false,
       "serve the HTTP API (on/off); off = scheduler worker only, no listening socket"},
      {"port", {"TASK_PORT", "SERVICE_PORT"}, "8211", false, "HTTP port"},
      {"bind", {"TASK_BIND"}, "0.0.0.0", false, "HTTP bind address"},
      {"database-url",
       {"TASK_DATABASE_URL"},
       "",
       false,
       "sqlite:///path/tasks.db (default: <data-dir>/tasks.db), postgresql://..., or memory:"},
      {"nats-url", {"NATS_URL"}, "", false, "NATS server URL; unset = in-process event bus"},
      {"nats-stream-replicas",
       {"NATS_STREAM_REPLICAS"},
       "1",
       false,
       "replicas of the TASK_SERVICE JetStream stream when this service creates it (3 on a "
       "three-node cluster)"},
      {"mqtt-url",
       {"MQTT_URL"},
       "",
       false,
       "MQTT broker, mqtt://[user:password@]host[:port]: every event also goes to "
       "task_service/<user_id>/task/<event> (QoS 1); unset = no MQTT"},
      {"jwt-secret", {"TASK_JWT_SECRET"}, "", true, "HS256 secret: enables JWT mode"},
      {"jwt-public-key",
       {"TASK_JWT_PUBLIC_KEY_FILE"},
       "",
       false,
       "RS256 public key PEM file: enables JWT mode"},
      {"internal-secret", {"TASK_INTERNAL_SECRET"}, "", true, "secret of internal callers"},
      {"default-tier", {"TASK_DEFAULT_TIER"}, "basic", false, "subscription level by default"},
      {"account-service-url", {"ACCOUNT_SERVICE_URL"}, "", false, "account service"},
      {"notification-service-url", {"NOTIFICATION_SERVICE_URL"}, "", false, "notification service"},
      {"calendar-service-url", {"CALENDAR_SERVICE_URL"}, "", false, "calendar service"},
      {"weather-provider-url", {"TASK_WEATHER_PROVIDER_URL"}, "", false, "weather provider"},
      {"news-provider-url", {"TASK_NEWS_PROVIDER_URL"}, "", false, "news provider"},
      {"price-provider-url", {"TASK_PRICE_PROVIDER_URL"}, "", false, "price provider"},
      {"webhook-allow-private",
       {"TASK_WEBHOOK_ALLOW_PRIVATE"},
       "off",
       false,
       "allow webhooks to loopback/private addresses (on/off)"},
      {"data-dir", {"TASK_DATA_DIR"}, "./data", false, "data directory"},
      {"scheduler", {"TASK_SCHEDULER"}, "on", false, "run the scheduler (on/off)"},
      {"workers", {"TASK_WORKERS"}, "8", false, "execution worker threads"},
      {"db-pool", {"TASK_DB_POOL"}, "8", false, "database connections"},
      {"user-concurrency",
       {"TASK_USER_CONCURRENCY"},
       "free=1,basic=2,pro=4,enterprise=16",
       false,
       "most scheduled runs of one user in flight at once, across replicas: level=N pairs "
       "(levels not named keep these defaults), one number for all levels (0 = no limit), or "
       "off (no per-user turns or limit)"},
      {"execution-retention-days",
       {"TASK_EXECUTION_RETENTION_DAYS"},
       "90",
       false,
       "days executions are kept; older ones are deleted in small batches by the scheduler "
       "(0-36500, 0 = keep forever; analytics and task counters do not change)"},
      {"ui",
       {"TASK_UI"},
       "on",
       false,
       "web dashboard at /ui/: on, off, or local (loopback --bind only: the page picks the user "
       "id; see docs/dashboard.md)"},
      {"log-level",
       {"LOG_LEVEL"},
       "info",
       false,
       "debug, info, warn, error; any case, also the design document's DEBUG, INFO, WARNING, "
       "ERROR, CRITICAL (warning = warn, critical = error)"},
      {"service-name",
       {"SERVICE_NAME"},
       "task_service",
       false,
       "name of this service in logs and as the NATS client name (events keep source "
       "task_service)"},
      {"consul-host",
       {"CONSUL_HOST"},
       "",
       false,
       "Consul agent host: register this replica (service task_service, TTL check); unset = no "
       "Consul"},
      {"consul-port", {"CONSUL_PORT"}, "8500", false, "Consul agent HTTP port"},
      {"consul-http-addr",
       {"CONSUL_HTTP_ADDR"},
       "",
       false,
       "Consul agent as host:port or http://host:port (instead of --consul-host/--consul-port)"},
      {"advertise-address",
       {"TASK_ADVERTISE_ADDRESS"},
       "",
       false,
       "address registered with Consul (default: the bind address, or the agent's when binding "
       "0.0.0.0)"},
      {"reuse-port",
       {"TASK_REUSE_PORT"},
       "off",
       false,
       "share the HTTP port with another task-server (SO_REUSEPORT, for zero-downtime restarts; "
       "on/off); off = refuse to start when the port is in use"},
  };
  return kSettings;
}

namespace {

/// The design document's level names (any case) to ours; nullopt for an unknown name.
std::optional<std::string> normalize_log_level(std::string v) {
  for (auto& ch : v)
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (v == "warning") return "warn";
  if (v == "critical") return "error";
  if (v == "debug" || v == "info" || v == "warn" || v == "error") return v;
  return std::nullopt;
}

/// `user[:password]` of a URL, percent-encoding the characters a URL cannot hold there.
std::string url_userinfo(const std::string& user, const std::optional<std::string>& password) {
  return percent_encode(user) + (password ? ":" + percent_encode(*password) : "");
}

int parse_int(const std::string& key, const std::string& v, int lo, int hi) {
  const auto n = whole_number_in(v, lo, hi);
  if (!n)
    throw std::invalid_argument("--" + key + ": '" + v + "' is not a whole number from " +
                                std::to_string(lo) + " to " + std::to_string(hi));
  return *n;
}

bool parse_switch(const std::string& key, const std::string& v) {
  if (v == "on" || v == "true" || v == "1" || v == "yes") return true;
  if (v == "off" || v == "false" || v == "0" || v == "no") return false;
  throw std::invalid_argument("--" + key + ": '" + v + "' is not on/off");
}

}  // namespace

Config resolve_config(const std::map<std::string, std::string>& flags,
                      const std::function<std::optional<std::string>(const std::string&)>& env) {
  Config c;
  for (const auto& s : settings()) {
    std::optional<std::string> v;
    if (auto it = flags.find(s.key); it != flags.end()) v = it->second;
    for (const auto& name : s.envs) {
      if (v) break;
      v = env(name);
    }
    c.values[s.key] = v.value_or(s.fallback);
  }
  // POSTGRES_HOST/POSTGRES_PORT (design document names) build a URL when none is given.
  if (c.values["database-url"].empty()) {
    if (auto host = env("POSTGRES_HOST")) {
      const auto port = env("POSTGRES_PORT").value_or("5432");
      const auto user = env("POSTGRES_USER").value_or("postgres");
      const auto db = env("POSTGRES_DB").value_or("task_service");
      c.values["database-url"] = "postgresql://" + url_userinfo(user, env("POSTGRES_PASSWORD")) +
                                 "@" + *host + ":" + port + "/" + db;
    }
  }
  const auto& v = c.values;
  c.http = parse_switch("http", v.at("http"));
  c.port = parse_int("port", v.at("port"), 0, 65535);
  c.bind_address = v.at("bind");
  c.data_dir = v.at("data-dir");
  c.database_url =
      v.at("database-url").empty() ? "sqlite://" + c.data_dir + "/tasks.db" : v.at("database-url");
  c.values["database-url"] = c.database_url;
  c.nats_url = v.at("nats-url");
  c.mqtt_url = v.at("mqtt-url");
  c.nats_stream_replicas = parse_int("nats-stream-replicas", v.at("nats-stream-replicas"), 1, 5);
  c.jwt_secret = v.at("jwt-secret");
  c.jwt_public_key_file = v.at("jwt-public-key");
  c.internal_secret = v.at("internal-secret");
  c.default_tier = v.at("default-tier");
  if (c.default_tier != "free" && c.default_tier != "basic" && c.default_tier != "pro" &&
      c.default_tier != "enterprise")
    throw std::invalid_argument("--default-tier: '" + c.default_tier +
                                "' is not one of free, basic, pro, enterprise");
  c.account_service_url = v.at("account-service-url");
  c.notification_service_url = v.at("notification-service-url");
  c.calendar_service_url = v.at("calendar-service-url");
  c.weather_provider_url = v.at("weather-provider-url");
  c.news_provider_url = v.at("news-provider-url");
  c.price_provider_url = v.at("price-provider-url");
  c.webhook_allow_private = parse_switch("webhook-allow-private", v.at("webhook-allow-private"));
  c.scheduler = parse_switch("scheduler", v.at("scheduler"));
  c.workers = parse_int("workers", v.at("workers"), 1, 1024);
  c.db_pool_size = parse_int("db-pool", v.at("db-pool"), 1, 256);
  c.user_concurrency = parse_user_concurrency(v.at("user-concurrency"));
  c.execution_retention_days =
      parse_int("execution-retention-days", v.at("execution-retention-days"), 0, 36500);
  const auto level = normalize_log_level(v.at("log-level"));
  if (!level)
    throw std::invalid_argument("--log-level: '" + v.at("log-level") +
                                "' is not one of debug, info, warn (warning), error (critical), "
                                "in any case");
  c.log_level = *level;
  c.values["log-level"] = *level;
  if (c.values["service-name"].empty())
    throw std::invalid_argument("--service-name: must not be empty");
  c.values["reuse-port"] = parse_switch("reuse-port", v.at("reuse-port")) ? "on" : "off";
  return c;
}

namespace {

/// Hides the password of a URL such as postgresql://user:secret@host/db.
std::string redact_url_password(const std::string& url) {
  const auto scheme = url.find("://");
  const auto at = url.find('@');
  if (scheme == std::string::npos || at == std::string::npos || at < scheme) return url;
  const auto colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

}  // namespace

std::string Config::describe() const {
  std::string out;
  for (const auto& s : settings()) {
    auto it = values.find(s.key);
    const std::string v = it == values.end() ? "" : it->second;
    if (!out.empty()) out += ' ';
    out += s.key + "=" + (s.secret && !v.empty() ? std::string("***") : redact_url_password(v));
  }
  return out;
}

std::optional<std::string> process_env(const std::string& name) {
  if (const char* v = std::getenv(name.c_str())) return std::string(v);
  return std::nullopt;
}

}  // namespace task::runtime
