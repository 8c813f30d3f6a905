#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <span>

#include "error_table.hpp"
#include "server_impl.hpp"
#include "task/codec/json_codec.hpp"
#include "task/codec/json_numbers.hpp"
#include "task/core/errors.hpp"
#include "task/core/text.hpp"
#include "task/core/trace_context.hpp"
#include "task/runtime/log.hpp"
#include "ui_routes.hpp"

namespace task::server {

namespace json = boost::json;
using runtime::log_line;
using runtime::LogLevel;

RequestState& current_request() {
  thread_local RequestState state;
  return state;
}

void send_json(httplib::Response& res, int status, const json::value& body) {
  send_json_text(res, status, to_json_text(body));
}

void send_json_text(httplib::Response& res, int status, std::string body) {
  res.status = status;
  res.body = std::move(body);  // set_content would copy it
  res.set_header("Content-Type", "application/json");
}

json::value json_body(const httplib::Request& req, bool optional) {
  const auto blank = req.body.find_first_not_of(" \t\r\n") == std::string::npos;
  if (blank) {
    if (optional) return nullptr;
    throw ValidationError({"body"}, "Field required", "missing");
  }
  boost::system::error_code ec;
  auto v = parse_json(req.body, ec, kMaxJsonDepth);  // exact numbers; at most 32 levels
  if (ec) throw ValidationError({"body"}, "JSON decode error: " + ec.message(), "json_invalid");
  // A number beyond the double range (or a U+0000) anywhere in the body: 422 at its location
  // (no store could hold it and give it back).
  if (auto bad = find_unstorable(v, {"body"}, kMaxJsonDepth))
    throw ValidationError(bad->loc, validation_message(*bad), bad->type);
  return v;
}

QueryParams query_params(const httplib::Request& req) {
  QueryParams out;
  for (const auto& [k, v] : req.params) {
    // cpp-httplib percent-decodes the query; `q=%00` would reach a search as a NUL.
    auto control = [](const std::string& s) {
      return std::any_of(s.begin(), s.end(), [](char c) {
        return static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) == 0x7f;
      });
    };
    if (control(k))
      throw ValidationError({"query"}, "Control character in a parameter name", "value_error");
    if (control(v))
      throw ValidationError({"query", k}, "Control characters (NUL, CR, LF, …) are not allowed",
                            "value_error");
    out.emplace_back(k, v);
  }
  return out;
}

namespace {

bool acceptable_request_id(const std::string& s) {
  if (s.empty() || s.size() > 128) return false;
  for (unsigned char c : s)
    if (!(std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == ':' || c == '/' || c == '+' ||
          c == '='))
      return false;
  return true;
}

/// The JSON body of a status the library produced itself (no route wrote one).
json::object default_body(int status) {
  switch (status) {
    case 404:
      return {{"detail", "Not Found"}};
    case 413:
      return {{"detail", "Request body too large"}};
    case 400:
      return {{"detail", "Bad request"}};
    case 405:
      return {{"detail", "Method Not Allowed"}};
    case 408:
      return {{"detail", "Request body not received in time"}};
    case 414:
      return {{"detail", "URI too long"}};
    case 501:
      return {{"detail", "Not implemented"}};
    case 503:
      return {{"detail", "Service unavailable"}};
    default:
      if (status >= 500) return {{"detail", "Internal server error"}};
      return {{"detail", "HTTP error " + std::to_string(status)}};
  }
}

}  // namespace

HttpServer::Impl::Impl(runtime::Runtime& runtime, ServerOptions opts)
    : rt(runtime), options(std::move(opts)) {
  const auto& c = rt.config();
  auth.jwt_secret = c.jwt_secret;
  auth.internal_secret = c.internal_secret;
  if (!c.jwt_public_key_file.empty()) {
    std::ifstream in(c.jwt_public_key_file);
    if (!in) throw std::runtime_error("cannot read --jwt-public-key " + c.jwt_public_key_file);
    auth.jwt_public_key.assign(std::istreambuf_iterator<char>(in), {});
  }
  http.set_tcp_nodelay(true);
  http.threads = static_cast<std::size_t>(options.threads);
  http.limits.max_head_bytes = options.max_head_bytes;
  http.limits.max_raw_body_bytes = hard_body_cap();
  http.limits.head_timeout = options.head_timeout;
  http.limits.body_timeout = options.body_timeout;
  http.limits.idle_timeout = options.keep_alive_timeout;
  http.limits.write_timeout = options.write_timeout;
  http.limits.max_requests = options.keep_alive_max_count;
  // The library writes these into the Keep-Alive response header.
  http.set_keep_alive_max_count(options.keep_alive_max_count);
  http.set_keep_alive_timeout(options.keep_alive_timeout.count());
  http.set_read_timeout(options.read_timeout);
  http.set_write_timeout(options.write_timeout);
  http.set_payload_max_length(hard_body_cap());
  install_hooks();
  install_routes();
  // Unknown paths of methods with a body: 404 without reading the body (the connection then
  // closes); cpp-httplib would read it whole before its own 404.
  const auto not_found = [](const httplib::Request&, httplib::Response& res,
                            const httplib::ContentReader&) {
    if (current_exchange().head.has_body()) current_exchange().close = true;
    send_json(res, 404, default_body(404));
  };
  const std::string any = R"([\s\S]*)";
  http.Post(any, not_found);
  http.Put(any, not_found);
  http.Delete(any, not_found);
}

void HttpServer::Impl::add(const std::string& method, const std::string& pattern,
                           const std::string& template_path, Handler handler) {
  route_list.push_back(method + " " + template_path);
  auto wrapped = [this, template_path, handler = std::move(handler)](const httplib::Request& req,
                                                                     httplib::Response& res) {
    auto& state = current_request();
    state.route = template_path;
    try {
      handler(req, res);
    } catch (const Unauthenticated& e) {
      send_json(res, 401, json::object{{"detail", e.what()}});
    } catch (...) {
      auto reply = map_error(std::current_exception(), rt.clock().now());
      if (!reply.log_text.empty()) state.error_log = reply.log_text;
      if (reply.retry_after > 0) res.set_header("Retry-After", std::to_string(reply.retry_after));
      send_json(res, reply.status, reply.body);
    }
  };
  if (method == "GET") {
    http.Get(pattern, wrapped);
    return;
  }
  // Routes with a body read it themselves, bounded, before any authentication work (cpp-httplib
  // would otherwise read a chunked or compressed body whole into memory first).
  auto with_body = [this, template_path, wrapped](const httplib::Request& req,
                                                  httplib::Response& res,
                                                  const httplib::ContentReader& reader) {
    current_request().route = template_path;
    if (read_body(req, res, reader)) wrapped(req, res);
  };
  if (method == "POST") http.Post(pattern, with_body);
  if (method == "PUT") http.Put(pattern, with_body);
  if (method == "DELETE") http.Delete(pattern, with_body);
}

bool HttpServer::Impl::read_body(const httplib::Request& req, httplib::Response& res,
                                 const httplib::ContentReader& reader) {
  auto& ex = current_exchange();
  const auto limit = options.max_body_bytes;
  const auto drain = hard_body_cap();
  std::string body;
  std::size_t seen = 0;
  bool over = false;
  const bool ok = reader([&](const char* data, std::size_t n) {
    seen += n;
    if (!over && seen <= limit) {
      body.append(data, n);
      return true;
    }
    if (!over) std::string().swap(body);
    over = true;
    return seen <= drain;  // read on (and drop) up to the hard cap so the client sees the 413
  });
  if (!ok) ex.close = true;
  if (over || (ex.stream && ex.stream->body_limit_hit())) {
    send_json(res, 413, default_body(413));
    return false;
  }
  if (!ok) {
    if (ex.stream && ex.stream->timed_out())
      send_json(res, 408, default_body(408));
    else
      send_json(res, 400, json::object{{"detail", "Malformed or incomplete request body"}});
    return false;
  }
  // cpp-httplib hands routes a const Request it owns; the body is ours to fill.
  const_cast<httplib::Request&>(req).body = std::move(body);
  return true;
}

void HttpServer::Impl::install_hooks() {
  http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    auto& state = current_request();
    state = RequestState{};
    state.start = std::chrono::steady_clock::now();
    const auto given = req.get_header_value("X-Request-ID");
    state.request_id = acceptable_request_id(given) ? given : random_hex(32);
    res.set_header("X-Request-ID", state.request_id);
    // W3C Trace Context: continue the caller's trace (or start one) for this request's log lines
    // and outbound calls; the response names this request's span.
    auto trace =
        trace::continue_trace(trace::parse_traceparent(req.get_header_value("traceparent")),
                              req.get_header_value("tracestate"));
    res.set_header("traceparent", trace.traceparent());
    trace::set_current(std::move(trace));
    metrics.request_started();
    auto& ex = current_exchange();
    const auto refuse = [&](int status, const json::object& body) {
      ex.close = true;  // nothing of the body is read: the connection cannot be reused
      send_json(res, status, body);
      return httplib::Server::HandlerResponse::Handled;
    };
    if (ex.head.status != 0) return refuse(ex.head.status, {{"detail", ex.head.detail}});
    if (refuse_cross_site_write(req, res)) {
      ex.close = true;  // refused before its body is read
      return httplib::Server::HandlerResponse::Handled;
    }
    const auto& m = req.method;
    if (m != "GET" && m != "HEAD" && m != "POST" && m != "PUT" && m != "DELETE") {
      res.set_header("Allow", "GET, HEAD, POST, PUT, DELETE");
      return refuse(405, default_body(405));
    }
    // cpp-httplib never reads a GET/HEAD body, nor a chunked DELETE body: its bytes would be
    // parsed as the next request.
    if (((m == "GET" || m == "HEAD") && ex.head.has_body()) || (m == "DELETE" && ex.head.chunked))
      return refuse(400, {{"detail", "This method takes no request body"}});
    if (ex.head.content_length.value_or(0) > hard_body_cap()) return refuse(413, default_body(413));
    return httplib::Server::HandlerResponse::Unhandled;
  });
  // Anything that must not share the connection with the next request closes it.
  http.set_post_routing_handler([](const httplib::Request&, httplib::Response& res) {
    auto& ex = current_exchange();
    if (res.status == 400 || res.status == 408 || res.status == 413 || res.status == 414 ||
        res.status == 431 || res.status == 501 || res.status == 505)
      ex.close = true;
    if (ex.close) {
      res.headers.erase("Keep-Alive");
      res.headers.erase("Connection");
      res.set_header("Connection", "close");
    }
  });
  http.set_error_handler(httplib::Server::HandlerWithResponse(
      [](const httplib::Request&, httplib::Response& res) -> httplib::Server::HandlerResponse {
        auto& state = current_request();
        if (!res.has_header("X-Request-ID")) {
          if (state.request_id.empty()) state.request_id = random_hex(32);
          res.set_header("X-Request-ID", state.request_id);
        }
        if (res.body.empty()) send_json(res, res.status, default_body(res.status));
        if (res.status == 429 && !res.has_header("Retry-After"))  // docs/api.md §16: every 429
          res.set_header("Retry-After", std::to_string(kDefaultRetryAfterSeconds));
        return httplib::Server::HandlerResponse::Handled;
      }));
  http.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    auto& state = current_request();
    const auto elapsed =
        state.start == std::chrono::steady_clock::time_point{}
            ? 0.0
            : std::chrono::duration<double>(std::chrono::steady_clock::now() - state.start).count();
    metrics.observe_request(req.method, state.route, res.status, elapsed);
    if (state.start != std::chrono::steady_clock::time_point{}) metrics.request_finished();
    char ms[32];
    std::snprintf(ms, sizeof ms, "%.3f", elapsed * 1000);
    const auto status = std::to_string(res.status);
    const auto level = res.status >= 500 ? LogLevel::error : LogLevel::info;
    if (runtime::log_enabled(level)) {
      const auto method = method_label(req.method);  // owned here: the fields are views
      const std::pair<std::string_view, std::string_view> fields[] = {
          {"request_id", state.request_id},
          {"method", method},
          {"route", state.route},
          {"path", req.path},
          {"status", status},
          {"duration_ms", ms},
          {"user_id", state.user_id},
          {"error", state.error_log}};
      // The error field only when there is one (no allocation per request either way).
      log_line(level, "request", std::span(fields).first(state.error_log.empty() ? 7 : 8));
    }
    state = RequestState{};
    trace::set_current(std::nullopt);
  });
}

Caller HttpServer::Impl::caller(const httplib::Request& req, bool need_user) {
  auto header = [&req](const char* name) -> std::optional<std::string> {
    if (!req.has_header(name)) return std::nullopt;
    return req.get_header_value(name);
  };
  AuthHeaders h{header("X-User-ID"), header("Authorization"), header("X-Internal-Service"),
                header("X-Internal-Service-Secret")};
  const auto id = authenticate(h, auth, std::chrono::system_clock::now());
  if (need_user && id.user_id.empty()) throw Unauthenticated("Authentication required");
  current_request().user_id = id.user_id;
  Caller c;
  c.user_id = id.user_id;
  c.internal = id.internal;
  c.level = id.claimed_level;  // else looked up by the operations that need it (level_of)
  return c;
}

HttpServer::HttpServer(runtime::Runtime& runtime, ServerOptions options)
    : impl_(std::make_unique<Impl>(runtime, std::move(options))) {}

HttpServer::~HttpServer() {
  stop();
}

std::string bind_problem(const std::string& host, int port, bool reuse_port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  const auto service = std::to_string(port);
  if (const int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0)
    return "cannot resolve the bind address '" + host + "': " + ::gai_strerror(rc);
  int error = 0;
  for (auto* a = found; a && error != EADDRINUSE; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (fd < 0) continue;
    const int yes = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    if (reuse_port) ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &yes, sizeof yes);
    if (::bind(fd, a->ai_addr, a->ai_addrlen) != 0) error = errno;
    ::close(fd);
  }
  ::freeaddrinfo(found);
  if (error == EADDRINUSE)
    return "port " + service + " is already in use on " + host +
           " (another task-server or program listens there); stop it, choose another --port, "
           "or start every server that shares the port with --reuse-port";
  if (error != 0) return "cannot bind " + host + ":" + service + ": " + std::strerror(error);
  return "";
}

int HttpServer::bind(const std::string& host, int port) {
  const bool reuse_port = impl_->options.reuse_port;
  impl_->http.set_socket_options([reuse_port](socket_t sock) {
    const int yes = 1;
    // SO_REUSEADDR only lets a restarted server bind while old connections sit in TIME_WAIT;
    // on Linux it never lets two listeners share a port. SO_REUSEPORT (cpp-httplib's default)
    // does, so it is set only when asked for.
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    if (reuse_port) ::setsockopt(sock, SOL_SOCKET, SO_REUSEPORT, &yes, sizeof yes);
  });
  impl_->bind_error.clear();
  if (port == 0) {
    impl_->port = impl_->http.bind_to_any_port(host);
  } else {
    impl_->port = impl_->http.bind_to_port(host, port) ? port : -1;
  }
  if (impl_->port < 0) {
    impl_->bind_error = bind_problem(host, port, reuse_port);
    if (impl_->bind_error.empty())
      impl_->bind_error = "cannot bind " + host + ":" + std::to_string(port);
  }
  return impl_->port;
}

std::string HttpServer::bind_error() const {
  return impl_->bind_error;
}

bool HttpServer::listen() {
  return impl_->http.listen_with_backlog(impl_->options.backlog);
}

void HttpServer::stop() {
  if (impl_->http.is_running()) impl_->http.stop();
}

bool HttpServer::is_running() const {
  return impl_->http.is_running();
}

int HttpServer::port() const {
  return impl_->port;
}

Metrics& HttpServer::metrics() {
  return impl_->metrics;
}

std::vector<std::string> HttpServer::routes() const {
  return impl_->route_list;
}

}  // namespace task::server
