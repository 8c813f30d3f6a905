#include "task/clients/notification_client.hpp"

#include <boost/json.hpp>

#include "task/clients/outbound.hpp"
#include "task/codec/json_codec.hpp"
#include "task/core/errors.hpp"

namespace task::clients {

HttpNotifier::HttpNotifier(std::string base_url, std::chrono::milliseconds timeout,
                           Outbound outbound)
    : timeout_(timeout), outbound_(std::move(outbound)) {
  const auto url = parse_http_url(base_url);
  if (!url) throw std::invalid_argument("notification service URL is not http(s): " + base_url);
  base_url_ = url->origin();
  path_prefix_ = url->prefix();
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
  // Operator-configured service: AddressPolicy::any, resolved once, connected to that address.
  OutboundRequest req("POST", path_prefix_ + "/api/v1/notifications");
  req.body = to_json_text(notification_body(n));
  req.content_type = "application/json";
  const auto sent = outbound_.send(base_url_, AddressPolicy::any, req, {timeout_, timeout_});
  require_success(sent, "notification service");
}

}  // namespace task::clients
