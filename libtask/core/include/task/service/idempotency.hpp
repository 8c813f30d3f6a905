#pragma once
/// The rules of idempotency keys (docs/api.md §16, "Idempotency keys"; what happens on failures
/// in docs/api.md Part 2), over the IdempotencyStore role, so that they hold across replicas and
/// restarts and are the same for task-server (the `Idempotency-Key` header of the four keyed
/// POSTs) and task-cli's local mode (`--idempotency-key`). What is HTTP's (the header, which
/// response headers are replayed, 409's Retry-After) stays with the caller; the fingerprint of a
/// request is computed by the caller too (task::clients::request_fingerprint: SHA-256 of method,
/// path and body), so a key used through the server and then locally is the same request.
///
///   task::IdempotencyGuard guard(store, clock);
///   auto r = guard.run(user, key, fingerprint, wait, {"header", "Idempotency-Key"}, [&] {
///     return task::KeyedResponse{201, body_text, "{}"};   // 2xx: stored for replay
///   });
///   // r.outcome: answered (the handler ran), replayed (r.response is the first one) or
///   // in_progress (the first request still runs: 409)
///
/// Thread-safety: run may be called from any number of threads at once.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "task/ports/clock.hpp"
#include "task/ports/idempotency_store.hpp"

namespace task {

/// How long a completed response is replayed (from the first request).
inline constexpr std::chrono::hours kIdempotencyLifetime{24};
/// How long an in-progress record blocks its key beyond the request's own waiting time: a record
/// left behind by a process that died mid-request frees the key after this lease.
inline constexpr std::chrono::seconds kIdempotencyLease{60};

/// 1-255 characters, each printable ASCII (space to tilde), as for X-User-ID (docs/api.md §4).
bool valid_idempotency_key(std::string_view key);

/// A response: its status, body (byte for byte) and the headers to replay (JSON object text).
struct KeyedResponse {
  int status = 0;
  std::string body;
  std::string headers = "{}";
};

/// How a keyed request was answered.
enum class KeyedOutcome {
  answered,     ///< the handler ran (its response is stored when 2xx)
  replayed,     ///< the first request's response, stored
  in_progress,  ///< the first request with this key is still being processed (409)
};

struct KeyedResult {
  KeyedOutcome outcome = KeyedOutcome::answered;
  KeyedResponse response;  ///< answered or replayed; empty for in_progress
};

/// Applies the idempotency-key rules around a handler.
class IdempotencyGuard {
 public:
  /// Reports a problem that does not fail the request (a record not released or not stored:
  /// its lease frees the key later): what happened, and the error text.
  using Warn = std::function<void(const std::string& what, const std::string& error)>;

  IdempotencyGuard(IdempotencyStore& store, Clock& clock, Warn warn = {})
      : store_(store), clock_(clock), warn_(std::move(warn)) {}

  /// Runs `handler` unless `key`'s record answers instead: a completed record with the same
  /// `fingerprint` is replayed; an in-progress one gives in_progress; a live record with another
  /// fingerprint throws ValidationError at `loc` with type `idempotency_key_reuse` (422); a
  /// malformed key throws ValidationError at `loc` (`value_error`). A 2xx response of `handler` is
  /// stored for 24 h; anything else (or an exception, rethrown) frees the key. `wait` is how long
  /// the handler may legitimately take (added to the lease). Expired records are pruned now and
  /// then (at most once a minute per guard, in small batches).
  KeyedResult run(const std::string& user_id, const std::string& key,
                  const std::string& fingerprint, std::chrono::milliseconds wait,
                  const std::vector<std::string>& loc,
                  const std::function<KeyedResponse()>& handler);

 private:
  void prune_now_and_then(Timestamp now);
  void warn(const std::string& what, const std::string& error) const {
    if (warn_) warn_(what, error);
  }

  IdempotencyStore& store_;
  Clock& clock_;
  Warn warn_;
  std::atomic<std::int64_t> last_prune_us_{0};
};

}  // namespace task
