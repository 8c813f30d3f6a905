#include "task/clients/webhook_executor.hpp"
#include "task/codec/json_numbers.hpp"

#include <httplib.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>

#include "task/clients/http_target.hpp"
#include "task/codec/json_codec.hpp"

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

/// Builds the outbound request (method, target, headers, body) from the task's config.
httplib::Request build_request(const RunContext& ctx, const HttpUrl& url) {
  const auto& config = ctx.task.config;
  httplib::Request req;
  req.method = "POST";
  if (auto* m = config.if_contains("method"); m && m->is_string()) {
    req.method = std::string(m->as_string());
    std::transform(req.method.begin(), req.method.end(), req.method.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  }
  req.path = url.target;
  bool has_content_type = false;
  if (auto* h = config.if_contains("headers"); h && h->is_object()) {
    for (const auto& [k, v] : h->as_object()) {
      std::string name(k);
      std::string value = v.is_string() ? std::string(v.as_string()) : json::serialize(v);
      if (name.find_first_of("\r\n") != std::string::npos ||
          value.find_first_of("\r\n") != std::string::npos)
        continue;
      std::string lower = name;
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (lower == "content-length" || lower == "host") continue;
      has_content_type = has_content_type || lower == "content-type";
      req.headers.emplace(std::move(name), std::move(value));
    }
  }
  req.headers.emplace("User-Agent", "task-service-webhook/1");
  req.headers.emplace("X-Task-ID", ctx.task.task_id);
  req.headers.emplace("X-Execution-ID", ctx.execution.execution_id);
  if (req.method == "GET" || req.method == "HEAD" || req.method == "DELETE") return req;
  const auto* body = config.if_contains("body");
  if (body && body->is_string()) {
    req.body = std::string(body->as_string());
    if (!has_content_type) req.headers.emplace("Content-Type", "text/plain; charset=utf-8");
  } else {
    req.body = to_json_text(body && !body->is_null() ? *body : json::value(webhook_context(ctx)));
    if (!has_content_type) req.headers.emplace("Content-Type", "application/json");
  }
  return req;
}

/// Checks the URL and its resolved addresses; returns the address to connect to, or a failure.
std::variant<std::string, RunOutcome> vet_target(const HttpUrl& url, bool allow_private) {
  const auto resolved = resolve_host(url.host, url.port);
  if (!resolved.error.empty())
    return RunOutcome::fail(
        "webhook host '" + url.host + "' could not be resolved: " + resolved.error,
        "WEBHOOK_DNS_FAILED");
  if (!allow_private) {
    for (const auto& a : resolved.addresses)
      if (is_non_public_address(a))
        return RunOutcome::fail("webhook target " + url.host + " resolves to non-public address " +
                                    a + "; private and loopback targets are not allowed",
                                "WEBHOOK_TARGET_FORBIDDEN", {{"address", a}});
  }
  return resolved.addresses.front();
}

}  // namespace

RunOutcome WebhookExecutor::run(const RunContext& ctx) {
  const auto raw = url_of(ctx.task.config);
  const auto url = parse_http_url(raw);
  if (!url)
    return RunOutcome::fail("webhook url is missing or not an http(s) URL: '" + raw + "'",
                            "WEBHOOK_INVALID_URL");
  auto vetted = vet_target(*url, options_.allow_private);
  if (auto* fail = std::get_if<RunOutcome>(&vetted)) return std::move(*fail);
  const auto& address = std::get<std::string>(vetted);

  const int timeout_ms = timeout_of(ctx.task.config, options_);
  const auto timeout = std::chrono::milliseconds(timeout_ms);
  httplib::Client cli(url->origin());
  cli.set_hostname_addr_map({{url->host, address}});  // connect to the vetted address only
  cli.set_connection_timeout(timeout);
  cli.set_read_timeout(timeout);
  cli.set_write_timeout(timeout);
  cli.set_follow_location(false);

  auto req = build_request(ctx, *url);
  std::string body;
  bool truncated = false;
  const auto limit = options_.max_body_bytes;
  req.content_receiver = [&](const char* data, std::size_t n, std::uint64_t, std::uint64_t) {
    const auto room = limit - std::min(limit, body.size());
    body.append(data, std::min(room, n));
    truncated = truncated || n > room;
    return true;
  };
  const auto start = std::chrono::steady_clock::now();
  auto res = cli.send(req);
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::steady_clock::now() - start)
                           .count();
  json::object where{{"url", raw}, {"method", req.method}, {"duration_ms", elapsed}};
  if (!res) {
    const auto err = res.error();
    const bool timed_out = err == httplib::Error::ConnectionTimeout ||
                           (err == httplib::Error::Read && elapsed >= timeout_ms - 5);
    if (timed_out)
      return RunOutcome::fail("webhook timed out after " + std::to_string(timeout_ms) + " ms",
                              "WEBHOOK_TIMEOUT", where);
    where["transport_error"] = httplib::to_string(err);
    return RunOutcome::fail("webhook request failed: " + httplib::to_string(err),
                            "WEBHOOK_CONNECT_FAILED", where);
  }
  json::object result;
  result["status_code"] = res->status;
  boost::system::error_code ec;
  // Exact numbers; a number beyond the double range fails the run in apply_outcome.
  auto parsed = truncated ? json::value() : parse_json(body, ec);
  result["body"] = (!truncated && !ec && !body.empty()) ? parsed : json::value(json::string(body));
  result["duration_ms"] = elapsed;
  if (truncated) result["body_truncated"] = true;
  const json::value expect = ctx.task.config.contains("expect_status")
                                 ? ctx.task.config.at("expect_status")
                                 : json::value();
  if (!status_expected(expect, res->status)) {
    where["status_code"] = res->status;
    where["body"] = result["body"];
    return RunOutcome::fail("webhook answered HTTP " + std::to_string(res->status),
                            "WEBHOOK_HTTP_STATUS", where);
  }
  return RunOutcome::ok(json::value(std::move(result)), 1);
}

}  // namespace task::clients
