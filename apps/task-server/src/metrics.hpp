#pragma once
/// Process metrics in the Prometheus text exposition format (GET /metrics): requests by route
/// and status, a request latency histogram per route and status class, executions by status,
/// manual run durations by task type and outcome, in-flight requests.
#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <utility>

namespace task {
struct SchedulerMetrics;
}

namespace task::server {

/// Thread-safe counters and histograms of one server.
class Metrics {
 public:
  /// Upper bounds (seconds) of the latency histogram buckets.
  static constexpr std::array<double, 12> kBuckets{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                   0.1,   0.25,   0.5,   1.0,  2.5,   10.0};

  /// Records one finished request.
  void observe_request(const std::string& method, const std::string& route, int status,
                       double seconds);
  /// Records one finished execution by its status ("completed", "failed", ...).
  void observe_execution(const std::string& status);
  /// Records the duration of one finished manual run by task type and outcome.
  void observe_manual_run(const std::string& task_type, const std::string& outcome, double seconds);
  /// In-flight requests gauge.
  void request_started() { ++in_flight_; }
  void request_finished() { --in_flight_; }

  /// The exposition text.
  std::string render() const;

 private:
  struct Histogram {
    std::array<std::uint64_t, kBuckets.size()> buckets{};
    std::uint64_t count = 0;
    double sum = 0;
  };
  static void render_histogram(std::string& out, const std::string& name, const std::string& labels,
                               const Histogram& h);
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t> requests_;
  std::map<std::pair<std::string, std::string>, Histogram> latency_;      ///< (route, status class)
  std::map<std::pair<std::string, std::string>, Histogram> manual_runs_;  ///< (type, outcome)
  std::map<std::string, std::uint64_t> executions_;
  std::atomic<std::int64_t> in_flight_{0};
};

/// The `method` label of a request: one of the methods HTTP defines (RFC 9110 §9, PATCH), else
/// "other" — the method text comes from the client, unbounded.
std::string method_label(const std::string& method);

/// Escapes a Prometheus label value (backslash, quote, newline).
std::string prometheus_label(const std::string& v);

/// The scheduler's numbers as `task_scheduler_*` families: runs by outcome, claims, leases,
/// skipped slots, retries, timeouts, reminders, active runs, the lateness histogram (run start −
/// slot) and the run duration histogram per task type and outcome.
std::string render_scheduler_metrics(const SchedulerMetrics& m);

}  // namespace task::server
