#include "live_metrics.hpp"

#include <chrono>
#include <cstdio>

#if __has_include("task/store/statement_latency.hpp")  // not there with TASK_WITH_STORE=OFF
#include "task/store/statement_latency.hpp"
#define TASK_SERVER_STATEMENT_LATENCY 1
#endif

namespace task::server {

namespace {

void gauge(std::string& out, const char* name, const char* help, double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6f", value);
  out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " gauge\n" + name + " " +
         buf + "\n";
}

double seconds_since(Timestamp then, Timestamp now) {
  return then < now ? std::chrono::duration<double>(now - then).count() : 0.0;
}

/// task_store_statement_duration_seconds: SQL statement latency of this process by verb and table.
void statement_latency(std::string& out) {
#ifdef TASK_SERVER_STATEMENT_LATENCY
  const auto stats = store::statement_latency();
  out +=
      "# HELP task_store_statement_duration_seconds SQL statements run by this process, by verb "
      "and main table.\n# TYPE task_store_statement_duration_seconds histogram\n";
  char buf[64];
  for (const auto& h : stats) {
    const std::string labels = "verb=\"" + h.verb + "\",table=\"" + h.table + "\"";
    for (std::size_t i = 0; i < h.buckets.size(); ++i) {
      std::snprintf(buf, sizeof buf, "%g", store::kStatementLatencyBuckets[i]);
      out += "task_store_statement_duration_seconds_bucket{" + labels + ",le=\"" + buf + "\"} " +
             std::to_string(h.buckets[i]) + "\n";
    }
    out += "task_store_statement_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} " +
           std::to_string(h.count) + "\n";
    std::snprintf(buf, sizeof buf, "%.9g", h.sum_seconds);
    out += "task_store_statement_duration_seconds_sum{" + labels + "} " + buf + "\n";
    out += "task_store_statement_duration_seconds_count{" + labels + "} " +
           std::to_string(h.count) + "\n";
  }
#else
  (void)out;
#endif
}

}  // namespace

std::string live_metrics(runtime::Runtime& rt) {
  std::string out;
  statement_latency(out);            // process-local, also when the database is down
  if (auto* pruner = rt.pruner()) {  // execution retention (TASK_EXECUTION_RETENTION_DAYS)
    out +=
        "# HELP task_executions_pruned_total Executions deleted by this process's retention "
        "pruner (older than TASK_EXECUTION_RETENTION_DAYS).\n"
        "# TYPE task_executions_pruned_total counter\ntask_executions_pruned_total " +
        std::to_string(pruner->pruned_total()) +
        "\n# HELP task_execution_prune_errors_total Pruning ticks ended by a storage error.\n"
        "# TYPE task_execution_prune_errors_total counter\ntask_execution_prune_errors_total " +
        std::to_string(pruner->errors_total()) + "\n";
  }
  auto& repo = rt.repository();
  const auto now = rt.clock().now();
  double lag = 0, backlog = 0, oldest = 0;
  bool up = true;
  try {
    repo.ping();
    if (const auto earliest = repo.earliest_due_time()) lag = seconds_since(*earliest, now);
    const auto [n, first] = repo.outbox_backlog();
    backlog = static_cast<double>(n);
    if (first) oldest = seconds_since(*first, now);
  } catch (const std::exception&) {
    up = false;
  }
  gauge(out, "task_database_up", "1 when the database answered this scrape, else 0.", up ? 1 : 0);
  if (!up) return out;
  gauge(out, "task_scheduler_lag_seconds",
        "How long the longest-waiting due task has been due (0 when none is).", lag);
  gauge(out, "task_outbox_backlog", "Outbox events not yet published.", backlog);
  gauge(out, "task_outbox_oldest_age_seconds",
        "Age of the oldest unpublished outbox event (0 when none is waiting).", oldest);
  return out;
}

}  // namespace task::server
