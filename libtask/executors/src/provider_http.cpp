#include "provider_http.hpp"
#include "task/codec/json_numbers.hpp"

#include <boost/json/parse.hpp>
#include <chrono>

namespace task::executors::detail {

namespace {

std::string ms_text(std::chrono::milliseconds d) {
  return std::to_string(d.count()) + " ms";
}

}  // namespace

clients::Timeouts timeouts_of(const ProviderConfig& config) {
  return {config.connect_timeout, config.read_timeout};
}

RunOutcome not_configured(std::string_view provider, std::string_view env_var) {
  return RunOutcome::fail(
      std::string(provider) + " is not configured (set " + std::string(env_var) + ")",
      "PROVIDER_NOT_CONFIGURED", {{"provider", provider}});
}

Fetched get_json(std::string_view provider, const std::string& base_url, std::string_view path,
                 const std::vector<std::pair<std::string, std::string>>& query,
                 const ProviderConfig& config) {
  const std::string who(provider);
  const auto base = clients::parse_http_url(base_url);
  if (!base) return {{}, not_configured(provider, "a valid http(s):// base URL")};
  std::string target = base->prefix() + std::string(path);
  for (std::size_t i = 0; i < query.size(); ++i)
    target += (i ? "&" : "?") + query[i].first + "=" + clients::percent_encode(query[i].second);
  const boost::json::object where{{"provider", who}, {"url", base->origin() + target}};

  clients::OutboundRequest req("GET", target);
  req.headers = {{"Accept", "application/json"}};
  const auto sent =
      config.outbound.send(base_url, clients::AddressPolicy::any, req, timeouts_of(config));
  if (const auto* refused = std::get_if<clients::Refused>(&sent)) {
    auto details = where;
    details["transport_error"] = refused->message;
    return {{},
            RunOutcome::fail(who + " unreachable: " + refused->message, "PROVIDER_UNREACHABLE",
                             details)};
  }
  const auto& res = std::get<clients::OutboundResponse>(sent);
  if (!res.error.empty()) {
    auto details = where;
    details["transport_error"] = res.error;
    if (res.timed_out) {
      details["timeout_ms"] = config.read_timeout.count();
      return {{},
              RunOutcome::fail(who + " timed out after " + ms_text(config.read_timeout),
                               "PROVIDER_TIMEOUT", details)};
    }
    return {{},
            RunOutcome::fail(who + " unreachable: " + res.error, "PROVIDER_UNREACHABLE", details)};
  }
  if (res.status < 200 || res.status >= 300) {
    auto details = where;
    details["status"] = res.status;
    details["body"] = res.body.substr(0, 512);
    return {{},
            RunOutcome::fail(who + " answered HTTP " + std::to_string(res.status),
                             "PROVIDER_HTTP_STATUS", details)};
  }
  if (res.truncated) {
    return {{}, RunOutcome::fail(who + " response too large", "PROVIDER_BAD_RESPONSE", where)};
  }
  boost::system::error_code ec;
  auto json = parse_json(res.body, ec);  // exact numbers (docs/api.md "Numbers in JSON")
  if (ec || !json.is_object()) {
    auto details = where;
    details["body"] = res.body.substr(0, 512);
    return {{},
            RunOutcome::fail(who + " returned " +
                                 (ec ? "invalid JSON: " + ec.message()
                                     : std::string("JSON that is not an object")),
                             "PROVIDER_BAD_RESPONSE", details)};
  }
  return {std::move(json), std::nullopt};
}

Sent send_body(std::string_view method, const std::string& url, const std::string& body,
               const std::string& content_type, const ProviderConfig& config,
               clients::AddressPolicy policy) {
  clients::OutboundRequest req(std::string(method), "");
  req.body = body;
  req.content_type = content_type;
  req.max_response_bytes = 64 * 1024;
  const auto sent = config.outbound.send(url, policy, req, timeouts_of(config));
  if (const auto* refused = std::get_if<clients::Refused>(&sent))
    return {0, refused->message, false, *refused};
  const auto& res = std::get<clients::OutboundResponse>(sent);
  return {res.status, res.error, res.timed_out, std::nullopt};
}

RunOutcome notify_and_report(Notifier* notifier, const std::optional<Notification>& note,
                             boost::json::object result) {
  result["notified"] = false;
  if (note && !notifier) {
    result["notification_error"] = "no notifier configured";
  } else if (note) {
    try {
      notifier->notify(*note);
      result["notified"] = true;
    } catch (const std::exception& e) {
      result["notification_error"] = e.what();
    }
  }
  return RunOutcome::ok(std::move(result), 1);
}

std::optional<double> as_number(const boost::json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  if (v.is_double()) return v.get_double();
  return std::nullopt;
}

}  // namespace task::executors::detail
