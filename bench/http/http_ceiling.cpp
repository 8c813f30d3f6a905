// http_ceiling PORT [THREADS]: the smallest cpp-httplib server worth comparing task-server with.
// Same settings as task-server's HTTP layer (TCP_NODELAY, a ThreadPool of 64, keep-alive max
// count 100000, 5 s keep-alive timeout); every GET or POST on any path returns the same 1 KiB
// JSON body. Runs until SIGTERM/SIGINT.
#include <httplib.h>
#include <pthread.h>
#include <signal.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include "task/runtime/stop_signals.hpp"

namespace {

/// A JSON object whose serialised size is exactly `size` bytes.
std::string fixed_json(std::size_t size) {
  const std::string head = R"({"task_id":"00000000-0000-4000-8000-000000000000","pad":")";
  const std::string tail = "\"}";
  return head + std::string(size - head.size() - tail.size(), 'x') + tail;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: http_ceiling PORT [THREADS]\n";
    return 2;
  }
  const int port = std::atoi(argv[1]);
  const std::size_t threads = argc > 2 ? static_cast<std::size_t>(std::atoi(argv[2])) : 64;
  const std::string body = fixed_json(1024);
  // Before any thread starts; one thread waits for them.
  const sigset_t stop_signals = task::runtime::block_stop_signals();

  httplib::Server svr;
  svr.set_tcp_nodelay(true);
  svr.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  svr.set_keep_alive_max_count(100000);
  svr.set_keep_alive_timeout(5);
  auto reply = [&body](const httplib::Request&, httplib::Response& res) {
    res.set_content(body, "application/json");
  };
  svr.Get(".*", reply);
  svr.Post(".*", [&body](const httplib::Request&, httplib::Response& res) {
    res.status = 201;
    res.set_content(body, "application/json");
  });

  if (!svr.bind_to_port("127.0.0.1", port)) {
    std::cerr << "http_ceiling: cannot bind 127.0.0.1:" << port << "\n";
    return 1;
  }
  std::thread waiter([&svr, &stop_signals] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    svr.stop();
  });
  std::cerr << "http_ceiling: listening on 127.0.0.1:" << port << "\n";
  const bool ok = svr.listen_after_bind();
  if (!ok) pthread_kill(waiter.native_handle(), SIGTERM);  // wake the waiter
  waiter.join();
  return ok ? 0 : 1;
}
