#pragma once
/// Gauges read from storage when /metrics is scraped (shared by all replicas, so every replica
/// reports the same values): database reachability, the scheduler's lag, outbox
/// backlog and the age of its oldest unpublished event.
#include <string>

#include "task/runtime/runtime.hpp"

namespace task::server {

/// The exposition text of the `task_database_up`,
/// `task_scheduler_lag_seconds`, `task_outbox_backlog` and `task_outbox_oldest_age_seconds`
/// families. A storage failure makes `task_database_up` 0 and leaves the others out.
std::string live_metrics(runtime::Runtime& rt);

}  // namespace task::server
