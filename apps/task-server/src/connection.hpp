#pragma once
/// task-server's connection handling, in front of cpp-httplib's request parser.
///
/// cpp-httplib 0.11.4 (Debian's libcpp-httplib.so) serves each connection on one pool thread
/// for its whole life: the thread waits for the request head byte by byte (a read timeout per
/// byte, no bound on the head as a whole), makes a new socket stream per request (bytes of a
/// pipelined request already read are dropped) and refuses to write once the client half-closed
/// (its liveness check peeks and sees EOF). Through the library's own extension points
/// (`process_and_close_socket` is virtual, `process_request` protected, `new_task_queue`
/// public) task-server replaces only that loop:
///  - a poller thread holds every connection between requests and reads request heads without
///    a pool thread; a head must be complete within `head_timeout` of its first byte and within
///    `max_head_bytes`, else 408 / 431 and the connection is closed;
///  - a pool thread gets a connection only with a complete head buffered, and serves requests
///    while complete heads are buffered (pipelining), then hands the connection back;
///  - the body is read through a stream that bounds its raw size and its time (`body_timeout`);
///  - writes do not depend on the read side (a half-closed client gets its answer), and the
///    pieces of one response leave in one send.
/// Request parsing, routing and response writing stay cpp-httplib's.
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "request_head.hpp"

namespace task::server {

using Clock = std::chrono::steady_clock;

/// Bounds of one connection.
struct ConnectionLimits {
  std::size_t max_head_bytes = 64 * 1024;     ///< request line + headers; above: 431
  std::size_t max_raw_body_bytes = 8u << 20;  ///< bytes on the wire per body (chunk framing incl.)
  std::chrono::milliseconds head_timeout{10000};  ///< first byte → complete head; else 408
  std::chrono::milliseconds body_timeout{30000};  ///< complete head → complete body
  std::chrono::milliseconds idle_timeout{5000};   ///< keep-alive wait for the next request
  std::chrono::milliseconds write_timeout{10000};
  /// After a response, how long the serving thread waits for the next request before handing
  /// the connection to the poller.
  std::chrono::microseconds next_request_wait{1000};
  std::size_t max_requests = 100000;  ///< requests per connection
};

/// One client connection: its socket and the bytes received but not consumed yet.
struct Connection {
  explicit Connection(int fd) : fd(fd) {}
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// Bytes received and not yet consumed.
  std::string_view pending() const { return std::string_view(buffer).substr(offset); }
  /// Receives what the socket has now (never blocks); returns recv's result.
  long receive_now();
  /// Marks `n` pending bytes consumed.
  void consume(std::size_t n);
  /// Writes `bytes` with the deadline; false on timeout or error.
  bool send_all(std::string_view bytes, Clock::time_point deadline);
  /// Closes after a response sent while request bytes may still arrive: half-closes, discards
  /// input for a short bounded time so the client can read the answer, then closes.
  void linger_close(std::chrono::milliseconds max_wait, std::size_t max_bytes);

  int fd;
  std::string buffer;
  std::size_t offset = 0;
  std::size_t served = 0;  ///< requests answered on this connection
  bool head_started = false;
  Clock::time_point deadline{};  ///< of the wait the poller is doing
  /// The peer's and our address, looked up on the first request (cpp-httplib asks per request).
  std::string remote_ip, local_ip;
  int remote_port = -1, local_port = -1;
  std::string out;  ///< response bytes not sent yet (ConnectionStream::flush)
};

/// The stream cpp-httplib reads one request from and writes its response to.
class ConnectionStream : public httplib::Stream {
 public:
  ConnectionStream(Connection& c, const ConnectionLimits& limits, std::size_t head_length);

  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  socket_t socket() const override { return conn_.fd; }

  /// Sends what write() buffered; false when the connection cannot take it. cpp-httplib writes
  /// a response as several write() calls (head, body); they leave as one send at the end of the
  /// request (or earlier, above 64 KiB, or before the body read waits for the client, so an
  /// `Expect: 100-continue` answer is not held back).
  bool flush();

  /// Bytes of this request consumed so far (head included).
  std::size_t consumed() const { return consumed_; }
  std::size_t head_length() const { return head_length_; }
  bool body_limit_hit() const { return body_limit_hit_; }
  bool timed_out() const { return timed_out_; }

 private:
  Connection& conn_;
  const ConnectionLimits& limits_;
  std::size_t head_length_;
  std::size_t consumed_ = 0;
  Clock::time_point body_deadline_;
  bool body_limit_hit_ = false;
  bool timed_out_ = false;
};

/// What the HTTP layer learns about the request being served on this thread.
struct Exchange {
  RequestHead head;
  ConnectionStream* stream = nullptr;
  bool close = false;  ///< close the connection after this response
};

/// The exchange on this thread (valid from the head check until the response is written).
Exchange& current_exchange();

class ConnectionQueue;

/// What the connection layer did that no request log line shows.
struct ConnectionCounters {
  std::atomic<std::uint64_t> head_timeouts{0};    ///< 408: head not complete in time
  std::atomic<std::uint64_t> heads_too_large{0};  ///< 431
  std::atomic<std::size_t> waiting{0};            ///< connections held by the poller now
};

/// The counters in the Prometheus text format (appended to GET /metrics).
std::string to_prometheus(const ConnectionCounters& c);

/// cpp-httplib's Server with task-server's connection handling (above) and a configurable
/// listen backlog (the library hard-codes 5).
class ConnectionServer : public httplib::Server {
 public:
  ConnectionServer();
  /// Set before listen.
  ConnectionLimits limits;
  std::size_t threads = 64;
  ConnectionCounters counters;

  /// Re-listens the bound socket with `backlog`, then serves until stop().
  bool listen_with_backlog(int backlog);
  /// Serves requests on `c` while complete heads are buffered (on a pool thread).
  void serve(std::shared_ptr<Connection> c);
  bool stopping() const { return svr_sock_ == INVALID_SOCKET; }

 private:
  bool process_and_close_socket(socket_t sock) override;
  std::atomic<ConnectionQueue*> queue_{nullptr};
  friend class ConnectionQueue;
};

/// The poller: holds connections between requests, reads heads, dispatches complete ones.
class ConnectionPoller {
 public:
  ConnectionPoller(ConnectionServer& server, httplib::TaskQueue& pool);
  ~ConnectionPoller();
  ConnectionPoller(const ConnectionPoller&) = delete;
  ConnectionPoller& operator=(const ConnectionPoller&) = delete;

  /// Takes a connection to wait on (thread-safe); closed at once after stop().
  void park(std::shared_ptr<Connection> c);
  /// Closes every parked connection and joins the thread.
  void stop();

 private:
  void run();
  /// Reads what `c` has; true when `c` stays parked.
  bool on_readable(const std::shared_ptr<Connection>& c, Clock::time_point now);

  ConnectionServer& server_;
  httplib::TaskQueue& pool_;
  int wake_fd_ = -1;
  std::mutex mutex_;
  std::vector<std::shared_ptr<Connection>> incoming_;
  bool stopped_ = false;
  std::thread thread_;
};

/// The task queue handed to cpp-httplib: the HTTP thread pool plus the poller.
class ConnectionQueue : public httplib::TaskQueue {
 public:
  ConnectionQueue(ConnectionServer& server, std::size_t threads);
  ~ConnectionQueue() override;
  void enqueue(std::function<void()> fn) override { pool_.enqueue(std::move(fn)); }
  void shutdown() override;
  ConnectionPoller& poller() { return poller_; }

 private:
  ConnectionServer& server_;
  httplib::ThreadPool pool_;
  ConnectionPoller poller_;
};

}  // namespace task::server
