#include "consul.hpp"

#include <httplib.h>

#include <algorithm>
#include <boost/json.hpp>

#include "task/core/text.hpp"
#include "task/runtime/log.hpp"

namespace task::server {

namespace json = boost::json;
using runtime::log_line;
using runtime::LogLevel;

bool consul_agent_from(const std::string& http_addr, const std::string& host,
                       const std::string& port, std::string& out_host, int& out_port,
                       std::string& error) {
  error.clear();
  std::string h = host;
  std::string p = port.empty() ? "8500" : port;
  if (!http_addr.empty()) {
    std::string a = http_addr;
    if (a.rfind("http://", 0) == 0) a = a.substr(7);
    if (a.rfind("https://", 0) == 0) {
      error = "CONSUL_HTTP_ADDR: https is not supported (use a local agent over http)";
      return false;
    }
    while (!a.empty() && a.back() == '/')
      a.pop_back();
    const auto colon = a.rfind(':');
    h = colon == std::string::npos ? a : a.substr(0, colon);
    p = colon == std::string::npos ? "8500" : a.substr(colon + 1);
  }
  if (h.empty()) return false;
  const auto n = whole_number_in(p, 1, 65535);
  if (!n) {
    error = "Consul agent port '" + p + "' is not a port number";
    return false;
  }
  out_host = h;
  out_port = *n;
  return true;
}

ConsulRegistrar::ConsulRegistrar(ConsulOptions options, std::function<ConsulStatus()> health)
    : options_(std::move(options)), health_(std::move(health)) {}

ConsulRegistrar::~ConsulRegistrar() {
  stop();
}

void ConsulRegistrar::start() {
  thread_ = std::thread([this] { loop(); });
}

bool ConsulRegistrar::put(const std::string& path, const std::string& body, int& status) {
  httplib::Client cli(options_.agent_host, options_.agent_port);
  cli.set_connection_timeout(std::chrono::seconds(2));
  cli.set_read_timeout(std::chrono::seconds(5));
  cli.set_write_timeout(std::chrono::seconds(5));
  auto res = cli.Put(path, body, "application/json");
  status = res ? res->status : 0;
  return res && res->status >= 200 && res->status < 300;
}

void ConsulRegistrar::loop() {
  const std::string check_id = "service:" + options_.service_id;
  json::object reg{{"ID", options_.service_id},
                   {"Name", options_.service_name},
                   {"Port", options_.port},
                   {"Meta", {{"version", options_.version}}},
                   {"Check",
                    {{"CheckID", check_id},
                     {"Name", options_.service_name + " health (TTL)"},
                     {"TTL", std::to_string(options_.ttl.count()) + "s"},
                     {"DeregisterCriticalServiceAfter", "10m"}}}};
  if (!options_.address.empty()) reg["Address"] = options_.address;
  const auto reg_body = json::serialize(reg);
  auto backoff = options_.first_retry;
  const auto period = std::max<std::chrono::milliseconds>(
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.ttl) / 3,
      std::chrono::milliseconds(100));
  std::string last_status;
  for (;;) {
    std::chrono::milliseconds wait = period;
    int status = 0;
    if (!registered_) {
      if (put("/v1/agent/service/register", reg_body, status)) {
        registered_ = true;
        backoff = options_.first_retry;
        log_line(LogLevel::info, "consul: registered",
                 {{"service_id", options_.service_id}, {"agent", options_.agent_host}});
        wait = std::chrono::milliseconds(0);  // report health at once
      } else {
        log_line(
            LogLevel::warn, "consul: registration failed; retrying",
            {{"status", std::to_string(status)}, {"retry_ms", std::to_string(backoff.count())}});
        wait = backoff;
        backoff = std::min(backoff * 2, options_.max_retry);
      }
    } else {
      const auto h = health_();
      const auto body = json::serialize(json::object{{"Status", h.status}, {"Output", h.output}});
      if (put("/v1/agent/check/update/" + check_id, body, status)) {
        if (h.status != last_status)
          log_line(LogLevel::info, "consul: check", {{"status", h.status}, {"output", h.output}});
        last_status = h.status;
      } else if (status == 404) {
        registered_ = false;  // the agent forgot us (restarted): register again
        wait = std::chrono::milliseconds(0);
      } else {
        wait = std::min(backoff, period);
        backoff = std::min(backoff * 2, options_.max_retry);
      }
    }
    std::unique_lock lock(mutex_);
    if (wake_.wait_for(lock, wait, [this] { return stopping_; })) break;
  }
  if (registered_) {
    int status = 0;
    const bool ok = put("/v1/agent/service/deregister/" + options_.service_id, "", status);
    log_line(ok ? LogLevel::info : LogLevel::warn, "consul: deregistered",
             {{"service_id", options_.service_id}, {"ok", ok ? "true" : "false"}});
  }
}

void ConsulRegistrar::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace task::server
