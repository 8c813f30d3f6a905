// task-server: flags (generated from task::runtime::settings()), then environment, then
// defaults -> Runtime -> HttpServer. SIGTERM/SIGINT stop accepting, drain in-flight requests and
// running executions, and exit 0. With `--http off` (TASK_HTTP=off) it is a scheduler worker:
// no listening socket, the scheduler runs until SIGTERM/SIGINT, then drains and exits 0.
#include <pthread.h>
#include <signal.h>

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>

#include "consul.hpp"
#include "server.hpp"
#include "task/events/event_system.hpp"
#include "task/runtime/config.hpp"
#include "task/runtime/log.hpp"
#include "task/runtime/runtime.hpp"
#include "task/runtime/stop_signals.hpp"

namespace {

std::string env_names(const task::runtime::Setting& s) {
  std::string out;
  for (const auto& e : s.envs)
    out += (out.empty() ? "" : ", ") + e;
  return out;
}

/// Worker-only mode (`--http off`): the runtime's scheduler (and event relay, when the runtime
/// starts one) run until SIGTERM/SIGINT; then they stop, running executions drain, exit 0.
int run_worker(const task::runtime::Config& config, sigset_t& stop_signals) {
  using task::runtime::log_line;
  using task::runtime::LogLevel;
  if (!config.scheduler)
    log_line(LogLevel::warn, "worker mode with the scheduler off: nothing to do until stopped");
  task::runtime::Runtime runtime(config);
  log_line(LogLevel::info, "worker mode",
           {{"scheduler", runtime.scheduler_running() ? "on" : "off"},
            {"event_relay", runtime.event_relay_running() ? "on" : "off"}});
  int sig = 0;
  sigwait(&stop_signals, &sig);
  log_line(LogLevel::info, "stopping", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
  runtime.shutdown();
  log_line(LogLevel::info, "stopped", {{"clean", "true"}});
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  using task::runtime::log_line;
  using task::runtime::LogLevel;
  CLI::App app{"task-server: the Task Service HTTP API"};
  app.set_version_flag("--version", std::string(TASK_VERSION));
  std::map<std::string, std::string> values;
  std::map<std::string, CLI::Option*> options;
  for (const auto& s : task::runtime::settings()) {
    auto help = s.help + " [env: " + env_names(s) + "]";
    if (!s.fallback.empty()) help += " [default: " + s.fallback + "]";
    options[s.key] = app.add_option("--" + s.key, values[s.key], help);
  }
  CLI11_PARSE(app, argc, argv);
  std::map<std::string, std::string> flags;
  for (const auto& [key, opt] : options)
    if (opt->count() > 0) flags[key] = values[key];

  // Before any thread starts; one thread waits for them.
  sigset_t stop_signals = task::runtime::block_stop_signals();

  try {
    const auto config = task::runtime::resolve_config(flags, task::runtime::process_env);
    std::string consul_host, consul_error;
    int consul_port = 0;
    const bool consul = task::server::consul_agent_from(
        config.values.at("consul-http-addr"), config.values.at("consul-host"),
        config.values.at("consul-port"), consul_host, consul_port, consul_error);
    if (!consul_error.empty()) throw std::invalid_argument(consul_error);
    if (!config.http) return run_worker(config, stop_signals);
    const bool reuse_port = config.values.at("reuse-port") == "on";
    auto cannot_bind = [&](const std::string& why) {
      log_line(LogLevel::error, "cannot bind",
               {{"address", config.bind_address},
                {"port", std::to_string(config.port)},
                {"error", why}});
      std::cerr << "task-server: " << why << "\n";
      return 1;
    };
    if (const auto why = task::server::bind_problem(config.bind_address, config.port, reuse_port);
        !why.empty())
      return cannot_bind(why);
    task::runtime::Runtime runtime(config);
    task::server::ServerOptions server_options;
    server_options.version = TASK_VERSION;
    server_options.reuse_port = reuse_port;
    task::server::HttpServer server(runtime, server_options);
    const int port = server.bind(config.bind_address, config.port);
    if (port < 0) return cannot_bind(server.bind_error());
    std::unique_ptr<task::server::ConsulRegistrar> registrar;
    if (consul) {
      task::server::ConsulOptions o;
      o.agent_host = consul_host;
      o.agent_port = consul_port;
      o.service_name = config.values.at("service-name");
      o.address = config.values.at("advertise-address");
      if (o.address.empty() && config.bind_address != "0.0.0.0" && config.bind_address != "::")
        o.address = config.bind_address;
      o.port = port;
      o.version = TASK_VERSION;
      char host[256] = {};
      ::gethostname(host, sizeof host - 1);
      std::random_device rd;
      char suffix[16];
      std::snprintf(suffix, sizeof suffix, "%08x", rd());
      o.service_id = o.service_name + "-" + host + "-" + std::to_string(port) + "-" + suffix;
      registrar = std::make_unique<task::server::ConsulRegistrar>(
          std::move(o), [&runtime]() -> task::server::ConsulStatus {
            try {
              runtime.repository().ping();
            } catch (const std::exception&) {
              return {"critical", "database unreachable"};
            }
            if (auto* bus = runtime.event_bus(); bus && !bus->status().healthy)
              return {"warning", "event bus degraded (" + runtime.event_bus_kind() + ")"};
            return {"passing", "database and event bus healthy"};
          });
      registrar->start();  // registers in the background; never blocks start-up
    }
    std::thread waiter([&server, &stop_signals, &registrar] {
      int sig = 0;
      sigwait(&stop_signals, &sig);
      log_line(LogLevel::info, "stopping", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
      if (registrar) registrar->stop();  // deregister first: no new traffic from discovery
      server.stop();
    });
    log_line(LogLevel::info, "listening",
             {{"address", config.bind_address}, {"port", std::to_string(port)}});
    const bool ok = server.listen();
    if (!ok) pthread_kill(waiter.native_handle(), SIGTERM);  // wake the waiter
    waiter.join();
    runtime.shutdown();
    log_line(LogLevel::info, "stopped", {{"clean", ok ? "true" : "false"}});
    return ok ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "task-server: " << e.what() << "\n";
    return 2;
  }
}
