#pragma once
// A stub HTTP server on 127.0.0.1 (ephemeral port) for the tests that need a far end: providers,
// webhooks.
#include <httplib.h>

#include <stdexcept>
#include <string>
#include <thread>

namespace task::testing {

/// An httplib server on 127.0.0.1 with an ephemeral port, stopped in the destructor (or by
/// stop()). Register handlers on server(), then start().
class StubServer {
 public:
  StubServer() {
    port_ = server_.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw std::runtime_error("stub server: cannot bind");
  }
  ~StubServer() { stop(); }
  StubServer(const StubServer&) = delete;
  StubServer& operator=(const StubServer&) = delete;

  httplib::Server& server() { return server_; }
  /// Starts serving and returns once it listens.
  void start() {
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running())
      std::this_thread::yield();
  }
  /// Stops serving (idempotent).
  void stop() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace task::testing
