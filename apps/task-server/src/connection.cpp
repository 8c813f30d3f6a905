#include "connection.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace task::server {

namespace {

constexpr std::size_t kReceiveChunk = 16 * 1024;
constexpr std::size_t kWriteBuffer = 64 * 1024;  ///< response bytes gathered before a send

int millis_until(Clock::time_point deadline, Clock::time_point now) {
  if (deadline <= now) return 0;
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(deadline - now).count();
  return static_cast<int>(std::min<long long>(ms, 1000));
}

/// Waits until `fd` has `events` or `deadline` passes; false on timeout or error.
bool wait_for(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    const auto now = Clock::now();
    if (now >= deadline) return false;
    pollfd p{fd, events, 0};
    const int r = ::poll(&p, 1, millis_until(deadline, now));
    if (r > 0) return true;
    if (r < 0 && errno != EINTR) return false;
  }
}

void address_of(int fd, bool peer, std::string& ip, int& port) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  auto* sa = reinterpret_cast<sockaddr*>(&addr);
  if ((peer ? ::getpeername(fd, sa, &len) : ::getsockname(fd, sa, &len)) != 0) return;
  char host[NI_MAXHOST];
  char serv[NI_MAXSERV];
  if (::getnameinfo(sa, len, host, sizeof host, serv, sizeof serv,
                    NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
    ip = host;
    port = std::atoi(serv);
  }
}

/// A response the poller writes itself (no request was parsed): 408 or 431, then close.
std::string plain_response(int status, std::string_view reason, std::string_view detail) {
  const std::string body = "{\"detail\":\"" + std::string(detail) + "\"}";
  return "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n\r\n" + body;
}

}  // namespace

// --- Connection ---------------------------------------------------------------------------

Connection::~Connection() {
  ::shutdown(fd, SHUT_RDWR);
  ::close(fd);
}

long Connection::receive_now() {
  if (offset == buffer.size()) {
    buffer.clear();
    offset = 0;
  } else if (offset > kReceiveChunk) {
    buffer.erase(0, offset);
    offset = 0;
  }
  const auto old = buffer.size();
  buffer.resize(old + kReceiveChunk);
  ssize_t n;
  do {
    n = ::recv(fd, buffer.data() + old, kReceiveChunk, MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  buffer.resize(old + static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
  return static_cast<long>(n);
}

void Connection::consume(std::size_t n) {
  offset = std::min(buffer.size(), offset + n);
}

bool Connection::send_all(std::string_view bytes, Clock::time_point deadline) {
  while (!bytes.empty()) {
    const auto n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      bytes.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && wait_for(fd, POLLOUT, deadline))
      continue;
    return false;
  }
  return true;
}

void Connection::linger_close(std::chrono::milliseconds max_wait, std::size_t max_bytes) {
  ::shutdown(fd, SHUT_WR);
  const auto deadline = Clock::now() + max_wait;
  char sink[kReceiveChunk];
  std::size_t drained = 0;
  while (drained < max_bytes && wait_for(fd, POLLIN, deadline)) {
    const auto n = ::recv(fd, sink, sizeof sink, MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)) break;
    if (n > 0) drained += static_cast<std::size_t>(n);
  }
}

// --- ConnectionStream ---------------------------------------------------------------------

ConnectionStream::ConnectionStream(Connection& c, const ConnectionLimits& limits,
                                   std::size_t head_length)
    : conn_(c),
      limits_(limits),
      head_length_(head_length),
      body_deadline_(Clock::now() + limits.body_timeout) {}

bool ConnectionStream::is_readable() const {
  if (!conn_.pending().empty()) return true;
  pollfd p{conn_.fd, POLLIN, 0};
  return ::poll(&p, 1, 0) > 0;
}

bool ConnectionStream::is_writable() const {
  return wait_for(conn_.fd, POLLOUT, Clock::now() + limits_.write_timeout);
}

ssize_t ConnectionStream::read(char* ptr, size_t size) {
  if (size == 0) return 0;
  if (consumed_ >= head_length_) {
    const auto body = consumed_ - head_length_;
    if (body >= limits_.max_raw_body_bytes) {
      body_limit_hit_ = true;
      return -1;
    }
    size = std::min(size, limits_.max_raw_body_bytes - body);
  }
  while (conn_.pending().empty()) {
    if (!conn_.out.empty() && !flush()) return -1;  // e.g. "100 Continue": the client waits for it
    if (!wait_for(conn_.fd, POLLIN, body_deadline_)) {
      timed_out_ = Clock::now() >= body_deadline_;
      return -1;
    }
    const auto n = conn_.receive_now();
    if (n == 0) return 0;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return -1;
  }
  const auto pending = conn_.pending();
  const auto n = std::min(size, pending.size());
  std::memcpy(ptr, pending.data(), n);
  conn_.consume(n);
  consumed_ += n;
  return static_cast<ssize_t>(n);
}

ssize_t ConnectionStream::write(const char* ptr, size_t size) {
  // Unlike cpp-httplib's SocketStream, no "is the peer still there" peek: a client that
  // half-closed after its request still reads the answer.
  if (conn_.out.size() + size > kWriteBuffer) {
    if (!flush()) return -1;
    if (size > kWriteBuffer)
      return conn_.send_all({ptr, size}, Clock::now() + limits_.write_timeout)
                 ? static_cast<ssize_t>(size)
                 : -1;
  }
  conn_.out.append(ptr, size);
  return static_cast<ssize_t>(size);
}

bool ConnectionStream::flush() {
  if (conn_.out.empty()) return true;
  const bool ok = conn_.send_all(conn_.out, Clock::now() + limits_.write_timeout);
  conn_.out.clear();
  if (conn_.out.capacity() > 4 * kWriteBuffer) std::string().swap(conn_.out);
  return ok;
}

void ConnectionStream::get_remote_ip_and_port(std::string& ip, int& port) const {
  if (conn_.remote_port < 0) address_of(conn_.fd, true, conn_.remote_ip, conn_.remote_port);
  ip = conn_.remote_ip;
  port = conn_.remote_port;
}

void ConnectionStream::get_local_ip_and_port(std::string& ip, int& port) const {
  if (conn_.local_port < 0) address_of(conn_.fd, false, conn_.local_ip, conn_.local_port);
  ip = conn_.local_ip;
  port = conn_.local_port;
}

Exchange& current_exchange() {
  thread_local Exchange exchange;
  return exchange;
}

// --- ConnectionServer ---------------------------------------------------------------------

namespace {

/// Replaces cpp-httplib's percent-decoded header view by the checked raw one.
void adopt_head(httplib::Request& req, RequestHead& head) {
  if (head.status != 0) return;  // refused before routing; nothing is read or used
  httplib::Headers headers = std::move(head.headers);  // read only through the request from here
  headers.emplace("REMOTE_ADDR", req.remote_addr);
  headers.emplace("REMOTE_PORT", std::to_string(req.remote_port));
  headers.emplace("LOCAL_ADDR", req.local_addr);
  headers.emplace("LOCAL_PORT", std::to_string(req.local_port));
  req.headers = std::move(headers);
  // A POST or PUT without Content-Length or Transfer-Encoding (curl -X POST) has an empty body;
  // cpp-httplib would read until the client closes.
  if ((req.method == "POST" || req.method == "PUT") && !head.content_length && !head.chunked)
    req.set_header("Content-Length", "0");
  req.ranges.clear();  // the API has no partial responses
}

bool body_fully_read(const Exchange& ex, const ConnectionStream& strm) {
  if (ex.head.status != 0) return false;
  if (ex.head.chunked) return true;  // read to its end, or the handler asked to close
  return strm.consumed() == strm.head_length() + ex.head.content_length.value_or(0);
}

}  // namespace

ConnectionServer::ConnectionServer() {
  new_task_queue = [this] { return new ConnectionQueue(*this, threads); };
}

bool ConnectionServer::listen_with_backlog(int backlog) {
  if (svr_sock_ != INVALID_SOCKET) ::listen(svr_sock_, backlog);
  return listen_after_bind();
}

bool ConnectionServer::process_and_close_socket(socket_t sock) {
  auto c = std::make_shared<Connection>(sock);
  c->deadline = Clock::now() + limits.idle_timeout;
  auto* queue = queue_.load();
  if (queue == nullptr || stopping()) return false;  // `c` closes the socket
  queue->poller().park(std::move(c));
  return true;
}

void ConnectionServer::serve(std::shared_ptr<Connection> c) {
  bool waited = false;  // the short wait for the next request, once per request
  for (;;) {
    if (stopping() || c->served >= limits.max_requests) return;
    const auto head_length = complete_head_length(c->pending());
    if (head_length > limits.max_head_bytes ||
        (head_length == 0 && c->pending().size() > limits.max_head_bytes)) {
      ++counters.heads_too_large;
      c->send_all(plain_response(431, "Request Header Fields Too Large", "Request head too large"),
                  Clock::now() + limits.write_timeout);
      return;
    }
    if (head_length == 0) {
      // The next request may be here already: take what the socket has, without waiting.
      const auto n = c->receive_now();
      if (n > 0) continue;
      if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) return;  // closed by the client
      // A keep-alive client usually sends its next request at once: wait for it briefly here
      // rather than pay two thread hand-offs through the poller.
      if (!waited && limits.next_request_wait.count() > 0) {
        waited = true;
        if (wait_for(c->fd, POLLIN, Clock::now() + limits.next_request_wait)) continue;
      }
      c->head_started = !c->pending().empty();
      c->deadline = Clock::now() + (c->head_started ? limits.head_timeout : limits.idle_timeout);
      if (auto* queue = queue_.load()) queue->poller().park(std::move(c));
      return;
    }
    ConnectionStream strm(*c, limits, head_length);
    auto& ex = current_exchange();
    ex = Exchange{};
    ex.head = check_request_head(c->pending().substr(0, head_length));
    ex.stream = &strm;
    const bool last = c->served + 1 >= limits.max_requests;
    bool closed = false;
    const bool ok = process_request(strm, last, closed,
                                    [&ex](httplib::Request& req) { adopt_head(req, ex.head); });
    const bool sent = strm.flush();
    ++c->served;
    waited = false;
    const bool whole = body_fully_read(ex, strm);
    const bool close = !ok || !sent || closed || last || ex.close || !whole;
    ex = Exchange{};
    if (close) {
      if (ok && sent && !whole) c->linger_close(std::chrono::seconds(1), limits.max_raw_body_bytes);
      return;
    }
  }
}

// --- ConnectionPoller ---------------------------------------------------------------------

ConnectionPoller::ConnectionPoller(ConnectionServer& server, httplib::TaskQueue& pool)
    : server_(server), pool_(pool), wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (wake_fd_ < 0) throw std::runtime_error(std::string("eventfd: ") + std::strerror(errno));
  thread_ = std::thread([this] { run(); });
}

ConnectionPoller::~ConnectionPoller() {
  stop();
  ::close(wake_fd_);
}

void ConnectionPoller::park(std::shared_ptr<Connection> c) {
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;  // `c` closes
    incoming_.push_back(std::move(c));
  }
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto n = ::write(wake_fd_, &one, sizeof one);
}

void ConnectionPoller::stop() {
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
  }
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto n = ::write(wake_fd_, &one, sizeof one);
  if (thread_.joinable()) thread_.join();
}

bool ConnectionPoller::on_readable(const std::shared_ptr<Connection>& c, Clock::time_point now) {
  const auto n = c->receive_now();
  if (n == 0) return false;  // the client closed
  if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
  const auto& limits = server_.limits;
  if (!c->head_started) {
    c->head_started = true;
    c->deadline = now + limits.head_timeout;
  }
  const auto head = complete_head_length(c->pending());
  if (head > limits.max_head_bytes || (head == 0 && c->pending().size() > limits.max_head_bytes)) {
    ++server_.counters.heads_too_large;
    c->send_all(plain_response(431, "Request Header Fields Too Large", "Request head too large"),
                now + std::chrono::milliseconds(100));
    return false;
  }
  if (head > 0) {
    pool_.enqueue([&server = server_, c] { server.serve(c); });
    return false;
  }
  return true;
}

void ConnectionPoller::run() {
  std::vector<std::shared_ptr<Connection>> parked;
  std::vector<pollfd> fds;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopped_) break;
      for (auto& c : incoming_)
        parked.push_back(std::move(c));
      incoming_.clear();
    }
    auto now = Clock::now();
    auto next = now + std::chrono::seconds(1);
    fds.assign(1, pollfd{wake_fd_, POLLIN, 0});
    for (const auto& c : parked) {
      fds.push_back(pollfd{c->fd, POLLIN, 0});
      next = std::min(next, c->deadline);
    }
    const int r = ::poll(fds.data(), fds.size(), millis_until(next, now));
    if (r < 0 && errno != EINTR) continue;
    if (fds[0].revents & POLLIN) {
      std::uint64_t v;
      [[maybe_unused]] const auto n = ::read(wake_fd_, &v, sizeof v);
    }
    now = Clock::now();
    std::size_t kept = 0;
    for (std::size_t i = 0; i < parked.size(); ++i) {
      auto c = std::move(parked[i]);
      bool stays = true;
      if (r > 0 && fds[i + 1].revents != 0) {
        stays = on_readable(c, now);
      } else if (now >= c->deadline) {
        if (c->head_started) {
          ++server_.counters.head_timeouts;
          c->send_all(plain_response(408, "Request Timeout", "Request head not received in time"),
                      now + std::chrono::milliseconds(100));
        }
        stays = false;
      }
      if (stays) parked[kept++] = std::move(c);
    }
    parked.resize(kept);
    server_.counters.waiting = parked.size();
  }
  server_.counters.waiting = 0;
  parked.clear();
  std::lock_guard lock(mutex_);
  incoming_.clear();
}

std::string to_prometheus(const ConnectionCounters& c) {
  return "# HELP task_http_connections_dropped_total Connections closed before a request was "
         "parsed: head not complete in time (408) or too large (431).\n"
         "# TYPE task_http_connections_dropped_total counter\n"
         "task_http_connections_dropped_total{reason=\"head_timeout\"} " +
         std::to_string(c.head_timeouts.load()) +
         "\ntask_http_connections_dropped_total{reason=\"head_too_large\"} " +
         std::to_string(c.heads_too_large.load()) +
         "\n# HELP task_http_connections_waiting Connections between requests or receiving a "
         "head (held by the poller, not by an HTTP thread).\n"
         "# TYPE task_http_connections_waiting gauge\ntask_http_connections_waiting " +
         std::to_string(c.waiting.load()) + "\n";
}

// --- ConnectionQueue ----------------------------------------------------------------------

ConnectionQueue::ConnectionQueue(ConnectionServer& server, std::size_t threads)
    : server_(server), pool_(threads), poller_(server, pool_) {
  server_.queue_ = this;
}

ConnectionQueue::~ConnectionQueue() {
  ConnectionQueue* self = this;
  server_.queue_.compare_exchange_strong(self, nullptr);
}

void ConnectionQueue::shutdown() {
  poller_.stop();    // parked connections close; later parks close at once
  pool_.shutdown();  // requests being served finish
}

}  // namespace task::server
