#pragma once
/// Private parts of HttpServer shared by server.cpp (plumbing) and routes.cpp (handlers).
#include <httplib.h>

#include <algorithm>
#include <boost/json/value.hpp>
#include <chrono>
#include <functional>
#include <future>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "auth.hpp"
#include "connection.hpp"
#include "idempotency.hpp"
#include "metrics.hpp"
#include "server.hpp"
#include "task/ports/repository.hpp"
#include "task/service/task_service.hpp"

namespace task::server {

/// Per-request state, kept on the handling thread from pre-routing until the log line.
struct RequestState {
  std::string request_id;
  std::string route = "unmatched";
  std::string user_id;
  std::chrono::steady_clock::time_point start{};
  std::string error_log;  ///< internal error text for the log line (never sent)
};

/// The state of the request being handled on this thread.
RequestState& current_request();

/// A route handler.
using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

struct HttpServer::Impl {
  Impl(runtime::Runtime& rt, ServerOptions opts);

  runtime::Runtime& rt;
  ServerOptions options;
  AuthSettings auth;
  ConnectionServer http;
  Metrics metrics;
  IdempotencyHeader idempotency{rt.repository(), rt.clock()};
  std::vector<std::string> route_list;
  int port = -1;
  std::string bind_error;  ///< why the last bind failed

  /// Registers a route: `method`, regex `pattern`, its label for logs/metrics (`template_path`).
  void add(const std::string& method, const std::string& pattern, const std::string& template_path,
           Handler handler);
  /// Reads the body through `reader` into `req.body`, at most `max_body_bytes` after decoding
  /// (chunked, gzip, deflate, br); false when it wrote the 413 / 400 / 408 instead.
  bool read_body(const httplib::Request& req, httplib::Response& res,
                 const httplib::ContentReader& reader);
  void install_hooks();
  /// A body over the limit is still read (and dropped) up to this many bytes, on the wire and
  /// after decoding, so the client sees the 413; beyond it the connection is closed.
  std::size_t hard_body_cap() const {
    return std::max<std::size_t>(8 * options.max_body_bytes, 8u << 20);
  }
  void install_routes();           // routes.cpp
  void install_ui_routes();        // ui_routes.cpp: /ui/, analytics series, runs in flight
  void install_schedule_routes();  // schedule_routes.cpp: upcoming, preview, completions
  /// Admits a manual run to the worker pool, starts it (`started`) and runs it there; the future
  /// gives the finished run. 503 when the pool is full (routes.cpp).
  std::future<FinishedRun> launch_run(const Caller& c, const std::string& task_id,
                                      const boost::json::value& body, StartedRun& started);
  /// POST /api/v1/tasks/bulk (bulk.cpp).
  void bulk(const Caller& c, const httplib::Request& req, httplib::Response& res);
  /// POST /api/v1/tasks/{task_id}/execute (routes.cpp), waiting up to `wait_ms` for the run.
  void execute(const Caller& c, int wait_ms, const httplib::Request& req, httplib::Response& res);

  /// The authenticated caller (401/403 by exception); `need_user`: a user id is required.
  Caller caller(const httplib::Request& req, bool need_user = true);
};

/// Writes a JSON response.
void send_json(httplib::Response& res, int status, const boost::json::value& body);
/// The same with the body already JSON text (task/codec/json_text.hpp).
void send_json_text(httplib::Response& res, int status, std::string body);

/// The request body as JSON: empty -> `missing` error (or null when `optional`); malformed ->
/// 422 `json_invalid` at loc ["body"].
boost::json::value json_body(const httplib::Request& req, bool optional);

/// Query parameters in the core's form.
QueryParams query_params(const httplib::Request& req);

/// The value of query parameter `name`, if given; the last one when it is repeated, as the core
/// reads them (task::query_value).
inline std::optional<std::string> query_param(const httplib::Request& req, const char* name) {
  const auto [first, last] = req.params.equal_range(name);
  if (first == last) return std::nullopt;
  return std::prev(last)->second;
}

}  // namespace task::server
