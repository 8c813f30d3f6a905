#pragma once
/// Registration of this replica with a Consul agent over its HTTP API (no Consul library):
/// PUT /v1/agent/service/register (service, unique id, address, port, version in Meta, a TTL
/// check), then PUT /v1/agent/check/update/<check> every ttl/3 with passing / warning /
/// critical from this process's own health, and PUT /v1/agent/service/deregister/<id> on stop.
/// Registration retries with backoff in the background and never blocks start-up.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace task::server {

/// Where the agent is and what to register.
struct ConsulOptions {
  std::string agent_host;  ///< e.g. 127.0.0.1
  int agent_port = 8500;
  std::string service_name = "task_service";
  std::string service_id;  ///< unique per replica
  std::string address;     ///< advertised address ("" = the agent's)
  int port = 0;
  std::string version;
  std::chrono::seconds ttl{15};
  std::chrono::milliseconds first_retry{500};
  std::chrono::milliseconds max_retry{30000};
};

/// The agent address from CONSUL_HTTP_ADDR (`host:port`, `http://host:port`) or CONSUL_HOST +
/// CONSUL_PORT; false (and `error` set) when given but unusable, false with no error when unset.
bool consul_agent_from(const std::string& http_addr, const std::string& host,
                       const std::string& port, std::string& out_host, int& out_port,
                       std::string& error);

/// A check state and its note.
struct ConsulStatus {
  std::string status;  ///< "passing", "warning" or "critical"
  std::string output;
};

class ConsulRegistrar {
 public:
  ConsulRegistrar(ConsulOptions options, std::function<ConsulStatus()> health);
  ~ConsulRegistrar();
  ConsulRegistrar(const ConsulRegistrar&) = delete;
  ConsulRegistrar& operator=(const ConsulRegistrar&) = delete;
  /// Starts the background thread (returns at once).
  void start();
  /// Stops it and deregisters (one attempt, 2 s timeout). Idempotent.
  void stop();

 private:
  void loop();
  bool put(const std::string& path, const std::string& body, int& status);
  ConsulOptions options_;
  std::function<ConsulStatus()> health_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool registered_ = false;
  std::thread thread_;
};

}  // namespace task::server
