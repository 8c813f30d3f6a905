#pragma once
/// task-server's HTTP layer on cpp-httplib: routes of docs/api.md §6 over a runtime::Runtime, with
/// request ids, one log line per request, metrics, identity, the error table and hardening
/// (body and head limits, head/body timeouts, raw header checks, backlog, thread pool,
/// TCP_NODELAY; connection handling in connection.hpp, header checks in request_head.hpp).
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "task/runtime/runtime.hpp"

namespace task::server {

class Metrics;

/// Tunables of the HTTP layer.
struct ServerOptions {
  std::size_t max_body_bytes = 1024 * 1024;  ///< larger bodies (after decoding) get 413
  std::size_t max_head_bytes = 64 * 1024;    ///< request line + headers; larger heads get 431
  int threads = 64;  ///< HTTP thread pool (a thread per request being served, not per connection)
  std::chrono::milliseconds head_timeout{10000};  ///< first byte → complete head, else 408
  std::chrono::milliseconds body_timeout{30000};  ///< complete head → complete body, else 408
  std::chrono::seconds read_timeout{10};          ///< socket option (SO_RCVTIMEO)
  std::chrono::seconds write_timeout{10};         ///< per write of a response
  std::chrono::seconds keep_alive_timeout{5};     ///< idle wait for the next request
  std::size_t keep_alive_max_count = 100000;
  int backlog = 1024;
  int max_wait_ms = 300000;  ///< upper bound of `wait_ms` on execute
  std::string version = "0.1.0";
  /// Share the port with other sockets that ask for it too (SO_REUSEPORT: the kernel splits
  /// connections between them; for zero-downtime restarts). Off: bind fails while another
  /// process listens on the port.
  bool reuse_port = false;
};

/// The HTTP server. Construct, bind, then listen (blocks until stop()).
class HttpServer {
 public:
  HttpServer(runtime::Runtime& runtime, ServerOptions options = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Binds `host:port`; port 0 picks a free port. Returns the bound port, or -1 (then
  /// bind_error() says why, e.g. that the port is in use).
  int bind(const std::string& host, int port);
  /// Why the last bind() failed, in words for an operator ("" after a successful bind).
  std::string bind_error() const;
  /// Serves until stop(); returns false when the listen loop failed. In-flight requests finish
  /// before it returns.
  bool listen();
  /// Asks listen() to return (thread-safe, e.g. from a signal-waiting thread).
  void stop();
  bool is_running() const;
  int port() const;
  Metrics& metrics();

  /// Every route as `METHOD path-template` (e.g. `GET /api/v1/tasks/{task_id}`), for the
  /// OpenAPI completeness check.
  std::vector<std::string> routes() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Why `host:port` cannot be bound now ("" when it can), tried on a throw-away socket with the
/// options HttpServer::bind uses: e.g. "port 8211 is already in use on 0.0.0.0 (...)". main()
/// asks before it opens storage or starts the scheduler, so a second server on a taken port
/// touches nothing.
std::string bind_problem(const std::string& host, int port, bool reuse_port);

/// The embedded OpenAPI 3 document (docs/openapi.json, compiled in at build time).
extern const char* const kOpenApiJson;

}  // namespace task::server
