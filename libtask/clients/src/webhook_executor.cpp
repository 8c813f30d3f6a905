#include "task/clients/webhook_executor.hpp"
#include "task/codec/json_numbers.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>

#include "task/codec/json_codec.hpp"
#include "task/rules/http_fields.hpp"

namespace task::clients {

namespace json = boost::json;

boost::json::object webhook_context(const RunContext& ctx) {
  const auto& t = ctx.task;
  const auto& e = ctx.execution;
  json::object o;
  o["event"] = "task.run";
  o["task_id"] = t.task_id;
  o["name"] = t.name;
  o["task_type"] = std::string(to_string(t.task_type));
  o["user_id"] = t.user_id;
  o["execution_id"] = e.execution_id;
  o["trigger_type"] = std::string(to_string(e.trigger_type));
  o["trigger_data"] = e.trigger_data;
  o["scheduled_for"] = timestamp_or_null(e.scheduled_for);
  o["started_at"] = format_rfc3339(e.started_at);
  o["config"] = t.config;
  o["metadata"] = t.metadata;
  return o;
}

namespace {

bool status_expected(const json::value& expect, int status) {
  if (expect.is_int64()) return expect.as_int64() == status;
  if (expect.is_uint64()) return expect.as_uint64() == static_cast<std::uint64_t>(status);
  if (expect.is_array()) {
    for (const auto& v : expect.as_array())
      if (status_expected(v, status)) return true;
    return false;
  }
  return status >= 200 && status < 300;
}

std::string url_of(const json::object& config) {
  for (const char* key : {"url", "webhook_url"})
    if (auto* v = config.if_contains(key); v && v->is_string()) return std::string(v->as_string());
  return {};
}

int timeout_of(const json::object& config, const WebhookOptions& o) {
  const auto* v = config.if_contains("timeout_ms");
  std::int64_t ms = o.default_timeout_ms;
  if (v && v->is_int64()) ms = v->as_int64();
  if (v && v->is_uint64())
    ms = static_cast<std::int64_t>(std::min<std::uint64_t>(v->as_uint64(), 1u << 30));
  if (v && v->is_double()) ms = static_cast<std::int64_t>(v->as_double());
  return static_cast<int>(std::clamp<std::int64_t>(ms, 1, o.max_timeout_ms));
}

/// The outbound request (method, headers, body) from the task's config, or the reason the config
/// cannot be sent. The create/update rules refuse such configs already (config_rules.cpp); this
/// second check covers rows written before them and any path that skipped them.
std::variant<OutboundRequest, std::string> build_request(const RunContext& ctx) {
  const auto& config = ctx.task.config;
  OutboundRequest req;
  req.method = "POST";
  if (auto* m = config.if_contains("method")) {
    if (!m->is_string() || !is_webhook_method(m->get_string()))
      return std::string(
          "config.method must be one of GET, HEAD, POST, PUT, PATCH, DELETE or "
          "OPTIONS");
    req.method = std::string(m->get_string());
    std::transform(req.method.begin(), req.method.end(), req.method.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  }
  bool has_content_type = false;
  if (auto* h = config.if_contains("headers"); h && h->is_object()) {
    for (const auto& [k, v] : h->as_object()) {
      std::string name(k);
      std::string value = v.is_string() ? std::string(v.as_string()) : json::serialize(v);
      if (!is_http_token(name)) return "config.headers: '" + name + "' is not an HTTP token";
      if (!is_safe_header_value(value))
        return "config.headers." + name + " holds CR, LF, NUL or another control character";
      std::string lower = name;
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (lower == "content-length" || lower == "host" || lower == "transfer-encoding") continue;
      has_content_type = has_content_type || lower == "content-type";
      req.headers.emplace_back(std::move(name), std::move(value));
    }
  } else if (h && !h->is_null()) {
    return std::string("config.headers must be an object");
  }
  req.headers.emplace_back("User-Agent", "task-service-webhook/1");
  req.headers.emplace_back("X-Task-ID", ctx.task.task_id);
  req.headers.emplace_back("X-Execution-ID", ctx.execution.execution_id);
  if (req.method == "GET" || req.method == "HEAD" || req.method == "DELETE") return req;
  const auto* body = config.if_contains("body");
  if (body && body->is_string()) {
    req.body = std::string(body->as_string());
    if (!has_content_type) req.content_type = "text/plain; charset=utf-8";
  } else {
    req.body = to_json_text(body && !body->is_null() ? *body : json::value(webhook_context(ctx)));
    if (!has_content_type) req.content_type = "application/json";
  }
  return req;
}

}  // namespace

RunOutcome WebhookExecutor::run(const RunContext& ctx) {
  const auto raw = url_of(ctx.task.config);
  auto built = build_request(ctx);
  if (auto* why = std::get_if<std::string>(&built))
    return RunOutcome::fail("webhook config cannot be sent: " + *why, "WEBHOOK_INVALID_CONFIG");
  auto& req = std::get<OutboundRequest>(built);
  req.max_response_bytes = options_.max_body_bytes;
  const int timeout_ms = timeout_of(ctx.task.config, options_);
  const Timeouts timeouts{std::chrono::milliseconds(timeout_ms),
                          std::chrono::milliseconds(timeout_ms)};
  const auto policy = options_.allow_private ? AddressPolicy::any : AddressPolicy::public_only;
  auto sent = options_.outbound.send(raw, policy, req, timeouts);
  if (auto* refused = std::get_if<Refused>(&sent)) {
    switch (refused->reason) {
      case Refused::Reason::invalid_url:
        return RunOutcome::fail("webhook url is missing or not an http(s) URL: '" + raw + "'",
                                "WEBHOOK_INVALID_URL");
      case Refused::Reason::dns_failed:
        return RunOutcome::fail("webhook " + refused->message, "WEBHOOK_DNS_FAILED");
      case Refused::Reason::forbidden:
        return RunOutcome::fail(
            "webhook target " + refused->message + "; private and loopback targets are not allowed",
            "WEBHOOK_TARGET_FORBIDDEN", {{"address", refused->address}, {"range", refused->range}});
    }
  }
  const auto& res = std::get<OutboundResponse>(sent);
  const auto elapsed = static_cast<std::int64_t>(res.elapsed.count());
  json::object where{{"url", raw}, {"method", req.method}, {"duration_ms", elapsed}};
  if (!res.error.empty()) {
    if (res.timed_out)
      return RunOutcome::fail("webhook timed out after " + std::to_string(timeout_ms) + " ms",
                              "WEBHOOK_TIMEOUT", where);
    where["transport_error"] = res.error;
    return RunOutcome::fail("webhook request failed: " + res.error, "WEBHOOK_CONNECT_FAILED",
                            where);
  }
  json::object result;
  result["status_code"] = res.status;
  boost::system::error_code ec;
  // Exact numbers; a number beyond the double range fails the run in apply_outcome.
  auto parsed = res.truncated ? json::value() : parse_json(res.body, ec);
  result["body"] =
      (!res.truncated && !ec && !res.body.empty()) ? parsed : json::value(json::string(res.body));
  result["duration_ms"] = elapsed;
  if (res.truncated) result["body_truncated"] = true;
  const json::value expect = ctx.task.config.contains("expect_status")
                                 ? ctx.task.config.at("expect_status")
                                 : json::value();
  if (!status_expected(expect, res.status)) {
    where["status_code"] = res.status;
    where["body"] = result["body"];
    return RunOutcome::fail("webhook answered HTTP " + std::to_string(res.status),
                            "WEBHOOK_HTTP_STATUS", where);
  }
  return RunOutcome::ok(json::value(std::move(result)), 1);
}

}  // namespace task::clients
