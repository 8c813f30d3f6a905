#include "metrics.hpp"

#include <cstdio>
#include <tuple>

#include "task/service/scheduler.hpp"

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

namespace {

void render_numbers(std::string& out, const std::string& name, const std::string& labels,
                    const std::vector<double>& bounds, const HistogramNumbers& h) {
  const std::string sep = labels.empty() ? "" : ",";
  for (std::size_t i = 0; i < bounds.size() && i < h.cumulative.size(); ++i)
    out += name + "_bucket{" + labels + sep + "le=\"" + number(bounds[i]) + "\"} " +
           std::to_string(h.cumulative[i]) + "\n";
  const std::string braces = labels.empty() ? "" : "{" + labels + "}";
  out += name + "_bucket{" + labels + sep + "le=\"+Inf\"} " + std::to_string(h.count) + "\n";
  out += name + "_sum" + braces + " " + number(h.sum_seconds) + "\n";
  out += name + "_count" + braces + " " + std::to_string(h.count) + "\n";
}

}  // namespace

std::string render_scheduler_metrics(const SchedulerMetrics& m) {
  std::string out;
  auto family = [&](const char* name, const char* help, const char* type) {
    out += std::string("# HELP task_scheduler_") + name + " " + help + "\n# TYPE task_scheduler_" +
           name + " " + type + "\n";
  };
  auto single = [&](const char* name, const char* help, std::int64_t v, const char* type) {
    family(name, help, type);
    out += std::string("task_scheduler_") + name + " " + std::to_string(v) + "\n";
  };
  single("rounds_total", "Claim rounds done.", m.rounds, "counter");
  single("claimed_total", "Tasks claimed.", m.claimed, "counter");
  family("runs_total", "Scheduled runs recorded, by outcome.", "counter");
  out += "task_scheduler_runs_total{outcome=\"completed\"} " + std::to_string(m.runs_succeeded) +
         "\ntask_scheduler_runs_total{outcome=\"failed\"} " + std::to_string(m.runs_failed) + "\n";
  single("run_timeouts_total", "Attempts stopped by the per-type timeout.", m.runs_timed_out,
         "counter");
  single("retries_total", "Extra attempts of a slot.", m.retries, "counter");
  single("duplicate_slots_total", "Slots found already executed and skipped.", m.duplicate_slots,
         "counter");
  single("stale_claims_total", "Claims whose task changed before the run.", m.stale_claims,
         "counter");
  single("skipped_slots_total", "Due slots not run under the misfire policy.", m.slots_skipped,
         "counter");
  single("expired_leases_total", "Runs recovered after their lease expired.", m.leases_expired,
         "counter");
  single("reminders_total", "Reminders fired.", m.reminders_sent, "counter");
  single("storage_errors_total", "Rounds or runs that hit a storage error.", m.storage_errors,
         "counter");
  single("active_runs", "Runs executing now.", m.active_runs, "gauge");
  family("lateness_seconds", "Start of a run minus its slot.", "histogram");
  render_numbers(out, "task_scheduler_lateness_seconds", "", m.bounds, m.lateness);
  family("run_duration_seconds",
         "Recorded duration of the scheduled runs this process finished, by task type and "
         "outcome.",
         "histogram");
  for (const auto& d : m.run_durations)
    render_numbers(out, "task_scheduler_run_duration_seconds",
                   "task_type=\"" + prometheus_label(std::string(to_string(d.task_type))) +
                       "\",outcome=\"" + prometheus_label(d.outcome) + "\"",
                   m.bounds, d.histogram);
  return out;
}

}  // namespace task::server
