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
  const std::string status_class =
      status >= 100 && status < 600 ? std::to_string(status / 100) + "xx" : "other";
  auto& h = latency_[{route, status_class}];
  for (std::size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) ++h.buckets[i];
  ++h.count;
  h.sum += seconds;
}

void Metrics::observe_manual_run(const std::string& task_type, const std::string& outcome,
                                 double seconds) {
  std::lock_guard lock(mutex_);
  auto& h = manual_runs_[{task_type, outcome}];
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

void Metrics::render_histogram(std::string& out, const std::string& name, const std::string& labels,
                               const Histogram& h) {
  for (std::size_t i = 0; i < kBuckets.size(); ++i)
    out += name + "_bucket{" + labels + ",le=\"" + number(kBuckets[i]) + "\"} " +
           std::to_string(h.buckets[i]) + "\n";
  out += name + "_bucket{" + labels + ",le=\"+Inf\"} " + std::to_string(h.count) + "\n";
  out += name + "_sum{" + labels + "} " + number(h.sum) + "\n";
  out += name + "_count{" + labels + "} " + std::to_string(h.count) + "\n";
}

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
  out +=
      "# HELP task_http_request_duration_seconds HTTP request latency by route and status "
      "class.\n";
  out += "# TYPE task_http_request_duration_seconds histogram\n";
  for (const auto& [key, h] : latency_)
    render_histogram(
        out, "task_http_request_duration_seconds",
        "route=\"" + prometheus_label(key.first) + "\",status_class=\"" + key.second + "\"", h);
  out +=
      "# HELP task_manual_run_duration_seconds Duration of manual runs finished by this "
      "process, by task type and outcome.\n";
  out += "# TYPE task_manual_run_duration_seconds histogram\n";
  for (const auto& [key, h] : manual_runs_)
    render_histogram(out, "task_manual_run_duration_seconds",
                     "task_type=\"" + prometheus_label(key.first) + "\",outcome=\"" +
                         prometheus_label(key.second) + "\"",
                     h);
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
