#pragma once
/// The `Idempotency-Key` header of the four keyed POSTs (docs/api.md §16; the rules and what
/// happens on failures in docs/api.md Part 2, "Idempotency keys"). The records live in the
/// database (task::IdempotencyStore), so the rules hold across replicas and restarts.
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "task/ports/clock.hpp"
#include "task/ports/idempotency_store.hpp"
#include "task/service/task_service.hpp"

namespace task::server {

/// How long a completed response is replayed (from the first request).
inline constexpr std::chrono::hours kIdempotencyLifetime{24};
/// How long an in-progress record blocks its key beyond the request's own waiting time: a record
/// left behind by a process that died mid-request frees the key after this lease.
inline constexpr std::chrono::seconds kIdempotencyLease{60};

/// Applies the Idempotency-Key rules around route handlers. Thread-safe.
class IdempotencyGuard {
 public:
  IdempotencyGuard(IdempotencyStore& store, task::Clock& clock) : store_(store), clock_(clock) {}

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
  void prune_now_and_then(Timestamp now);

  IdempotencyStore& store_;
  task::Clock& clock_;
  mutable std::mutex mutex_;
  std::map<std::string, std::uint64_t> replays_;   ///< by route
  std::map<std::string, std::uint64_t> rejected_;  ///< by reason
  std::atomic<std::int64_t> last_prune_us_{0};
};

/// The request fingerprint stored with a key: SHA-256 (hex) of method, path and body.
std::string idempotency_fingerprint(const std::string& method, const std::string& path,
                                    const std::string& body);

}  // namespace task::server
