#include "metrics.hpp"

#include <cstdio>
#include <tuple>

namespace task::server {

std::string prometheus_label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string method_label(const std::string& method) {
  static constexpr const char* kKnown[] = {"GET",     "HEAD",    "POST",  "PUT",  "DELETE",
                                           "CONNECT", "OPTIONS", "TRACE", "PATCH"};
  for (const char* k : kKnown)
    if (method == k) return method;
  return "other";
}

void Metrics::observe_request(const std::string& method, const std::string& route, int status,
                              double seconds) {
  std::lock_guard lock(mutex_);
  ++requests_[{method_label(method), route, status}];
  auto& h = latency_[route];
  for (std::size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) ++h.buckets[i];
  ++h.count;
  h.sum += seconds;
}

void Metrics::observe_execution(const std::string& status) {
  std::lock_guard lock(mutex_);
  ++executions_[status];
}

namespace {

std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

}  // namespace

std::string Metrics::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  out += "# HELP task_http_requests_total HTTP requests by method, route and status.\n";
  out += "# TYPE task_http_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    const auto& [method, route, status] = key;
    out += "task_http_requests_total{method=\"" + prometheus_label(method) + "\",route=\"" +
           prometheus_label(route) + "\",status=\"" + std::to_string(status) + "\"} " +
           std::to_string(n) + "\n";
  }
  out += "# HELP task_http_request_duration_seconds HTTP request latency by route.\n";
  out += "# TYPE task_http_request_duration_seconds histogram\n";
  for (const auto& [route, h] : latency_) {
    const auto label = "route=\"" + prometheus_label(route) + "\"";
    for (std::size_t i = 0; i < kBuckets.size(); ++i)
      out += "task_http_request_duration_seconds_bucket{" + label + ",le=\"" + number(kBuckets[i]) +
             "\"} " + std::to_string(h.buckets[i]) + "\n";
    out += "task_http_request_duration_seconds_bucket{" + label + ",le=\"+Inf\"} " +
           std::to_string(h.count) + "\n";
    out += "task_http_request_duration_seconds_sum{" + label + "} " + number(h.sum) + "\n";
    out +=
        "task_http_request_duration_seconds_count{" + label + "} " + std::to_string(h.count) + "\n";
  }
  out += "# HELP task_executions_total Task executions finished by this process, by status.\n";
  out += "# TYPE task_executions_total counter\n";
  for (const auto& [status, n] : executions_)
    out += "task_executions_total{status=\"" + prometheus_label(status) + "\"} " +
           std::to_string(n) + "\n";
  out += "# HELP task_http_requests_in_flight Requests being handled now.\n";
  out += "# TYPE task_http_requests_in_flight gauge\n";
  out += "task_http_requests_in_flight " + std::to_string(in_flight_.load()) + "\n";
  return out;
}

}  // namespace task::server
