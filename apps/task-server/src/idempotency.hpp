#pragma once
/// The `Idempotency-Key` header of the four keyed POSTs (docs/api.md §16; the rules and what
/// happens on failures in docs/api.md Part 2, "Idempotency keys"): the HTTP shell of libtask's
/// IdempotencyGuard (task/service/idempotency.hpp, shared with task-cli's local mode). The
/// records live in the database (task::IdempotencyStore), so the rules hold across replicas and
/// restarts. This file adds what only HTTP has: the header, the replayed response headers,
/// `Idempotent-Replayed`, 409's `Retry-After` and the metrics.
#include <httplib.h>

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "task/ports/clock.hpp"
#include "task/ports/idempotency_store.hpp"
#include "task/service/idempotency.hpp"
#include "task/service/task_service.hpp"

namespace task::server {

using task::kIdempotencyLease;
using task::kIdempotencyLifetime;

/// Applies the Idempotency-Key rules around route handlers. Thread-safe.
class IdempotencyHeader {
 public:
  IdempotencyHeader(IdempotencyStore& store, task::Clock& clock);

  /// Runs `handler` (which writes `res`) unless the request carries an Idempotency-Key whose
  /// record answers instead: the stored response (replay), 409 (first request in progress) or
  /// 422 (key reused with another request; malformed key). A 2xx response of `handler` is
  /// stored for replay; anything else (or an exception) frees the key. `route` labels metrics;
  /// `wait` is how long the handler may legitimately take (added to the lease).
  void run(const Caller& caller, const std::string& route, const httplib::Request& req,
           httplib::Response& res, std::chrono::milliseconds wait,
           const std::function<void()>& handler);

  /// `task_idempotency_*` metric families in the Prometheus text format.
  std::string render_metrics() const;

 private:
  void count(std::map<std::string, std::uint64_t>& family, const std::string& label);

  task::IdempotencyGuard guard_;
  mutable std::mutex mutex_;
  std::map<std::string, std::uint64_t> replays_;   ///< by route
  std::map<std::string, std::uint64_t> rejected_;  ///< by reason
};

/// The request fingerprint stored with a key: SHA-256 (hex) of method, path and body
/// (task::clients::request_fingerprint).
std::string idempotency_fingerprint(const std::string& method, const std::string& path,
                                    const std::string& body);

}  // namespace task::server
