#pragma once
/// Configuration (docs/api.md §15): one table of settings, each with a flag name, environment
/// variables and a default. Precedence: command-line flag, then environment, then default.
///
/// Ownership: Config is a plain value (copied into the Runtime that uses it). Thread-safety:
/// reading a Config from several threads is safe; the parsing functions are pure.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "task/ports/scheduler_store.hpp"

namespace task::runtime {

/// One setting: `--flag`, environment names (first found wins), default, whether it is secret.
struct Setting {
  std::string key;                ///< flag name without dashes, e.g. "port"
  std::vector<std::string> envs;  ///< e.g. {"TASK_PORT", "SERVICE_PORT"}
  std::string fallback;           ///< default value ("" = unset)
  bool secret = false;            ///< never printed
  std::string help;
};

/// All settings, in the order they are printed.
const std::vector<Setting>& settings();

/// The resolved configuration.
struct Config {
  bool http = true;  ///< false = worker-only mode: scheduler (and event relay), no HTTP
  int port = 8211;
  std::string bind_address = "0.0.0.0";
  std::string database_url;      ///< sqlite:///..., postgresql://..., memory:
  std::string nats_url;          ///< empty = in-process event bus
  std::string mqtt_url;          ///< empty = no MQTT sink
  int nats_stream_replicas = 1;  ///< replicas of the stream when the publisher creates it
  std::string jwt_secret;
  std::string jwt_public_key_file;
  std::string internal_secret;
  std::string default_tier = "basic";
  std::string account_service_url;
  std::string notification_service_url;
  std::string calendar_service_url;
  std::string weather_provider_url;
  std::string news_provider_url;
  std::string price_provider_url;
  bool webhook_allow_private = false;
  std::string data_dir = "./data";
  bool scheduler = true;
  int workers = 8;
  int db_pool_size = 8;
  /// TASK_USER_CONCURRENCY, parsed (the default level is set by the Runtime from default_tier).
  ClaimFairness user_concurrency;
  /// TASK_EXECUTION_RETENTION_DAYS: executions older than this are pruned; 0 = kept forever.
  int execution_retention_days = 90;
  std::string log_level = "info";
  /// Relay outbox events (to NATS, or to the in-process bus) from this process. Not a setting:
  /// task-cli turns it off, so that a CLI without NATS_URL never marks events published that the
  /// server should send to NATS; the server relays what the CLI wrote.
  bool relay_events = true;

  /// The resolved value of every setting by key (strings), for printing and for the adapters.
  std::map<std::string, std::string> values;

  /// `key=value` pairs of every setting, secrets shown as `***` when set.
  std::string describe() const;
};

/// Resolves the configuration from explicit flag values (key -> value) and an environment
/// lookup (name -> value or nullopt). Throws std::invalid_argument with a clear message on a bad
/// value (e.g. "--port: 'abc' is not a port number").
Config resolve_config(const std::map<std::string, std::string>& flags,
                      const std::function<std::optional<std::string>(const std::string&)>& env);

/// The process environment as a lookup function.
std::optional<std::string> process_env(const std::string& name);

}  // namespace task::runtime
