// The calendar service client (CALENDAR_SERVICE_URL).
#include "task/clients/calendar_client.hpp"

#include "task/codec/json_codec.hpp"
#include "task/core/errors.hpp"

namespace task::clients {

namespace json = boost::json;

HttpCalendarSync::HttpCalendarSync(std::string base_url, Timeouts timeouts, Outbound outbound)
    : base_url_(std::move(base_url)), timeouts_(timeouts), outbound_(std::move(outbound)) {
  while (!base_url_.empty() && base_url_.back() == '/')
    base_url_.pop_back();
}

json::object calendar_event_body(const Task& task) {
  json::value event_time = nullptr;
  if (const auto* t = task.config.if_contains("event_time"))
    event_time = *t;
  else
    event_time = timestamp_or_null(task.due_date);
  return {{"task_id", task.task_id},
          {"user_id", task.user_id},
          {"title", task.name},
          {"description", task.description ? json::value(*task.description) : json::value(nullptr)},
          {"event_time", event_time},
          {"due_date", timestamp_or_null(task.due_date)},
          {"reminder_time", timestamp_or_null(task.reminder_time)},
          {"status", to_string(task.status)},
          {"deleted", task.deleted_at.has_value()}};
}

void HttpCalendarSync::upsert_event(const Task& task) {
  if (!parse_http_url(base_url_))
    throw Unavailable("calendar service is not configured (CALENDAR_SERVICE_URL)");
  // Operator-configured service: AddressPolicy::any, resolved once, connected to that address.
  OutboundRequest req("PUT", "");
  req.body = to_json_text(calendar_event_body(task));
  req.content_type = "application/json";
  req.max_response_bytes = 64 * 1024;
  const auto sent = outbound_.send(base_url_ + "/events/" + percent_encode(task.task_id),
                                   AddressPolicy::any, req, timeouts_);
  require_success(sent, "calendar service");
}

}  // namespace task::clients
