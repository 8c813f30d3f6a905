#pragma once
// A stub provider on 127.0.0.1 (ephemeral port) for the executor tests, and helpers.
#include <httplib.h>

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "support/doubles.hpp"
#include "task/executors/providers.hpp"

namespace task::test {

/// An httplib server on 127.0.0.1 with an ephemeral port, stopped in the destructor.
class StubProvider {
 public:
  StubProvider() {
    port_ = server_.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw std::runtime_error("stub provider: cannot bind");
  }
  ~StubProvider() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  httplib::Server& server() { return server_; }
  /// Starts serving (register handlers first).
  void start() {
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running())
      std::this_thread::yield();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

using testing::RecordingNotifier;

/// A provider config with short timeouts for tests.
inline executors::ProviderConfig test_config() {
  executors::ProviderConfig c;
  c.connect_timeout = std::chrono::milliseconds(200);
  c.read_timeout = std::chrono::milliseconds(200);
  return c;
}

using testing::context;
using testing::error_code;

}  // namespace task::test
