#include "health.hpp"

#include "task/events/event_system.hpp"

#include <chrono>

#include "task/clients/outbound.hpp"
#include "task/codec/json_codec.hpp"

namespace task::server {

namespace json = boost::json;

namespace {

double millis_since(std::chrono::steady_clock::time_point start) {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
  return static_cast<double>(us / 10) / 100.0;  // 2 decimals
}

json::object probe_service(const std::string& url) {
  if (url.empty()) return {{"status", "not_configured"}};
  const auto parsed = clients::parse_http_url(url);
  if (!parsed) return {{"status", "unhealthy"}, {"error", "invalid URL"}};
  const auto start = std::chrono::steady_clock::now();
  // A configured service: AddressPolicy::any, one resolution, connected to that address.
  const auto sent =
      clients::Outbound{}.send(url, clients::AddressPolicy::any,
                               clients::OutboundRequest("GET", parsed->prefix() + "/health"),
                               {std::chrono::seconds(1), std::chrono::seconds(1)});
  const auto latency = millis_since(start);
  if (const auto* refused = std::get_if<clients::Refused>(&sent))
    return {{"status", "unhealthy"}, {"latency_ms", latency}, {"error", refused->message}};
  const auto* res = &std::get<clients::OutboundResponse>(sent);
  if (!res->error.empty())
    return {{"status", "unhealthy"}, {"latency_ms", latency}, {"error", res->error}};
  const bool ok = res->status >= 200 && res->status < 300;
  return {{"status", ok ? "healthy" : "unhealthy"},
          {"latency_ms", latency},
          {"http_status", res->status}};
}

}  // namespace

json::object basic_health(runtime::Runtime& rt, int port, const std::string& version) {
  return {{"status", "healthy"},
          {"service", "task_service"},
          {"version", version},
          {"port", port},
          {"timestamp", format_rfc3339(rt.clock().now())}};
}

HealthReport detailed_health(runtime::Runtime& rt, int port, const std::string& version) {
  HealthReport report;
  json::object components;
  const auto start = std::chrono::steady_clock::now();
  try {
    rt.repository().ping();
    report.database_up = true;
    components["database"] = {
        {"status", "healthy"}, {"latency_ms", millis_since(start)}, {"kind", rt.database_kind()}};
  } catch (const std::exception&) {
    components["database"] = {
        {"status", "unhealthy"}, {"latency_ms", millis_since(start)}, {"kind", rt.database_kind()}};
  }
  json::object bus{{"kind", rt.event_bus_kind()}, {"relay_running", rt.event_relay_running()}};
  const auto bus_start = std::chrono::steady_clock::now();
  if (auto* events = rt.event_bus()) {
    const auto st = events->status();
    bus["status"] = st.healthy ? "healthy" : (st.connected ? "degraded" : "unhealthy");
    bus["connected"] = st.connected;
    bus["jetstream"] = st.jetstream;
    bus["outbox_backlog"] = st.backlog;
    bus["oldest_unpublished_age_ms"] = static_cast<std::int64_t>(st.oldest_unpublished_age.count());
    if (st.mqtt)  // MQTT_URL set: the second sink of the same outbox
      components["mqtt"] = {{"status", st.mqtt->connected ? "healthy" : "unhealthy"},
                            {"connected", st.mqtt->connected},
                            {"broker", st.mqtt->url},
                            {"published", st.mqtt->published},
                            {"reconnects", st.mqtt->reconnects},
                            {"latency_ms", 0}};
  } else {
    bus["status"] = "disabled";
  }
  bus["latency_ms"] = millis_since(bus_start);
  components["event_bus"] = std::move(bus);
  components["scheduler"] = {
      {"status",
       rt.config().scheduler ? (rt.scheduler_running() ? "running" : "not_running") : "disabled"},
      {"latency_ms", 0}};
  components["worker_pool"] = {{"status", "healthy"},
                               {"size", static_cast<std::int64_t>(rt.workers().size())},
                               {"busy", static_cast<std::int64_t>(rt.workers().busy())},
                               {"latency_ms", 0}};
  const auto& c = rt.config();
  components["account_service"] = probe_service(c.account_service_url);
  components["notification_service"] = probe_service(c.notification_service_url);
  components["calendar_service"] = probe_service(c.calendar_service_url);
  bool degraded = false;
  for (const auto& [name, v] : components)
    degraded = degraded || v.as_object().at("status") == "unhealthy";
  auto body = basic_health(rt, port, version);
  body["status"] = !report.database_up ? "unhealthy" : degraded ? "degraded" : "healthy";
  body["components"] = std::move(components);
  report.body = std::move(body);
  return report;
}

}  // namespace task::server
