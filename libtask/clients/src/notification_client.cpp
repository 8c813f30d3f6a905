#include "task/clients/notification_client.hpp"

#include <httplib.h>

#include <boost/json.hpp>

#include "task/clients/http_target.hpp"
#include "task/codec/json_codec.hpp"
#include "task/core/errors.hpp"
#include "task/core/trace_context.hpp"

namespace task::clients {

HttpNotifier::HttpNotifier(std::string base_url, std::chrono::milliseconds timeout)
    : timeout_(timeout) {
  const auto url = parse_http_url(base_url);
  if (!url) throw std::invalid_argument("notification service URL is not http(s): " + base_url);
  base_url_ = url->origin();
  path_prefix_ = url->target == "/" ? "" : url->target;
  while (!path_prefix_.empty() && path_prefix_.back() == '/')
    path_prefix_.pop_back();
}

boost::json::object notification_body(const Notification& n) {
  boost::json::object o;
  o["user_id"] = n.user_id;
  o["type"] = n.kind;
  o["title"] = n.title;
  o["message"] = n.message;
  o["task_id"] = n.task_id;
  o["data"] = n.data;
  o["source"] = "task_service";
  return o;
}

void HttpNotifier::notify(const Notification& n) {
  httplib::Client cli(base_url_);
  cli.set_connection_timeout(timeout_);
  cli.set_read_timeout(timeout_);
  cli.set_write_timeout(timeout_);
  {  // W3C trace context of the request or run this call is made for
    httplib::Headers trace_headers;
    for (auto& [name, value] : trace::outbound_headers())
      trace_headers.emplace(name, value);
    cli.set_default_headers(std::move(trace_headers));
  }
  const auto body = to_json_text(notification_body(n));
  auto res = cli.Post(path_prefix_ + "/api/v1/notifications", body, "application/json");
  if (!res)
    throw Unavailable("notification service unreachable: " + httplib::to_string(res.error()));
  if (res->status < 200 || res->status >= 300)
    throw Unavailable("notification service answered HTTP " + std::to_string(res->status));
}

}  // namespace task::clients
