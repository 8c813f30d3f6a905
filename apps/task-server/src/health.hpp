#pragma once
/// GET /health and /health/detailed: liveness, and the state of each dependency.
#include <boost/json/object.hpp>
#include <string>

#include "task/runtime/runtime.hpp"

namespace task::server {

/// `{status, service, version, port, timestamp}`.
boost::json::object basic_health(runtime::Runtime& rt, int port, const std::string& version);

/// The detailed report; `database_up` false means the response is a 503.
struct HealthReport {
  boost::json::object body;
  bool database_up = false;
};

/// Pings the database (with latency), reports the event bus and outbox backlog, the scheduler,
/// the worker pool and every configured neighbour service (GET <url>/health, 1 s timeout).
HealthReport detailed_health(runtime::Runtime& rt, int port, const std::string& version);

}  // namespace task::server
