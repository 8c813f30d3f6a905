#include <sys/socket.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstdio>
#include <fstream>
#include <random>

#include "error_table.hpp"
#include "server_impl.hpp"
#include "task/codec/json_codec.hpp"
#include "task/codec/json_numbers.hpp"
#include "task/core/errors.hpp"
#include "task/runtime/log.hpp"

namespace task::server {

namespace json = boost::json;
using runtime::log_line;
using runtime::LogLevel;

bool BacklogServer::listen_with_backlog(int backlog) {
  if (svr_sock_ != INVALID_SOCKET) ::listen(svr_sock_, backlog);
  return listen_after_bind();
}

RequestState& current_request() {
  thread_local RequestState state;
  return state;
}

void send_json(httplib::Response& res, int status, const json::value& body) {
  res.status = status;
  res.set_content(to_json_text(body), "application/json");
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
  for (const auto& [k, v] : req.params)
    out.emplace_back(k, v);
  return out;
}

namespace {

std::string new_request_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(32, '0');
  for (std::size_t i = 0; i < id.size(); i += 16) {
    auto r = rng();
    for (std::size_t j = 0; j < 16; ++j, r >>= 4)
      id[i + j] = kHex[r & 0xf];
  }
  return id;
}

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
    case 414:
      return {{"detail", "URI too long"}};
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
  const auto threads = static_cast<std::size_t>(options.threads);
  http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http.set_keep_alive_max_count(options.keep_alive_max_count);
  http.set_keep_alive_timeout(options.keep_alive_timeout.count());
  http.set_read_timeout(options.read_timeout);
  http.set_write_timeout(options.write_timeout);
  // Bodies up to the hard cap are read in full (so the client sees the 413 instead of a reset
  // connection) and refused in the route wrapper; beyond it the connection is closed early.
  http.set_payload_max_length(hard_body_cap());
  install_hooks();
  install_routes();
}

void HttpServer::Impl::add(const std::string& method, const std::string& pattern,
                           const std::string& template_path, Handler handler) {
  route_list.push_back(method + " " + template_path);
  auto wrapped = [this, template_path, handler = std::move(handler)](const httplib::Request& req,
                                                                     httplib::Response& res) {
    auto& state = current_request();
    state.route = template_path;
    if (req.body.size() > options.max_body_bytes) {
      send_json(res, 413, default_body(413));
      return;
    }
    try {
      handler(req, res);
    } catch (const Unauthenticated& e) {
      send_json(res, 401, json::object{{"detail", e.what()}});
    } catch (...) {
      auto reply = map_error(std::current_exception());
      if (!reply.log_text.empty()) state.error_log = reply.log_text;
      send_json(res, reply.status, reply.body);
    }
  };
  if (method == "GET") http.Get(pattern, wrapped);
  if (method == "POST") http.Post(pattern, wrapped);
  if (method == "PUT") http.Put(pattern, wrapped);
  if (method == "DELETE") http.Delete(pattern, wrapped);
}

void HttpServer::Impl::install_hooks() {
  http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    auto& state = current_request();
    state = RequestState{};
    state.start = std::chrono::steady_clock::now();
    const auto given = req.get_header_value("X-Request-ID");
    state.request_id = acceptable_request_id(given) ? given : new_request_id();
    res.set_header("X-Request-ID", state.request_id);
    metrics.request_started();
    if ((req.method == "POST" || req.method == "PUT") && !req.has_header("Content-Length") &&
        !req.has_header("Transfer-Encoding")) {
      // A POST without a body and without Content-Length (curl -X POST) is an empty body, not a
      // 400. The request object is not const where cpp-httplib owns it.
      const_cast<httplib::Request&>(req).set_header("Content-Length", "0");
    }
    const auto length = req.get_header_value("Content-Length");
    if (!length.empty()) {
      char* end = nullptr;
      errno = 0;
      const auto n = std::strtoull(length.c_str(), &end, 10);
      if (errno != 0 || *end != '\0' || n > hard_body_cap()) {
        res.set_header("Connection", "close");
        send_json(res, 413, default_body(413));
        return httplib::Server::HandlerResponse::Handled;
      }
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  http.set_error_handler(httplib::Server::HandlerWithResponse(
      [](const httplib::Request&, httplib::Response& res) -> httplib::Server::HandlerResponse {
        auto& state = current_request();
        if (!res.has_header("X-Request-ID")) {
          if (state.request_id.empty()) state.request_id = new_request_id();
          res.set_header("X-Request-ID", state.request_id);
        }
        if (res.body.empty()) send_json(res, res.status, default_body(res.status));
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
    std::vector<std::pair<std::string_view, std::string_view>> fields{
        {"request_id", state.request_id},
        {"method", req.method},
        {"route", state.route},
        {"path", req.path},
        {"status", status},
        {"duration_ms", ms},
        {"user_id", state.user_id}};
    if (!state.error_log.empty()) fields.emplace_back("error", state.error_log);
    log_line(level, "request", fields);
    state = RequestState{};
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
  if (!id.user_id.empty()) c.level = rt.service().resolve_level(id.user_id, id.claimed_level);
  return c;
}

HttpServer::HttpServer(runtime::Runtime& runtime, ServerOptions options)
    : impl_(std::make_unique<Impl>(runtime, std::move(options))) {}

HttpServer::~HttpServer() {
  stop();
}

int HttpServer::bind(const std::string& host, int port) {
  if (port == 0) {
    impl_->port = impl_->http.bind_to_any_port(host);
  } else {
    impl_->port = impl_->http.bind_to_port(host, port) ? port : -1;
  }
  return impl_->port;
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
