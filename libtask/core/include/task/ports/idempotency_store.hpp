#pragma once
/// The IdempotencyStore role: the records behind the `Idempotency-Key` header (docs/api.md §16,
/// "Idempotency keys"; the rules in docs/api.md, "Idempotency keys" of Part 2). One record per
/// (caller, key): while the first request runs it is *in progress* under a lease held by that
/// request's `owner` token; when it answered 2xx it is *completed* and holds that response for
/// 24 h from the first request. An expired record (lease or 24 h over) counts as absent.
///
/// Ownership: the storage object is shared (std::shared_ptr); every result is a copy the caller
/// owns; string_view and reference arguments are read during the call only.
/// Thread-safety: every method may be called from any number of threads and processes at once;
/// begin_idempotent is atomic across replicas on one database (one winner per live record).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "task/core/time.hpp"

namespace task {

/// One idempotency record.
struct IdempotencyRecord {
  std::string user_id;
  std::string key;           ///< the Idempotency-Key header, 1-255 printable characters
  std::string request_hash;  ///< fingerprint of the request (method, path, body)
  std::string owner;         ///< token of the request that created (or took over) the record
  bool completed = false;    ///< false: in progress
  int status = 0;            ///< completed: the first response's status
  std::string body;          ///< completed: the first response's body, byte for byte
  std::string headers;       ///< completed: the replayed response headers (JSON object text)
  Timestamp created_at{};
  Timestamp expires_at{};  ///< in progress: end of the lease; completed: created_at + 24 h
};

/// What begin_idempotent found.
enum class IdempotencyClaim {
  claimed,      ///< no live record: the candidate is stored in progress, the caller goes on
  in_progress,  ///< a live in-progress record with the same request hash (409)
  completed,    ///< a completed record with the same request hash (replay)
  mismatch,     ///< a live record with another request hash (422 idempotency_key_reuse)
};

/// The outcome of begin_idempotent and the live record (the candidate itself when claimed).
struct IdempotencyBegin {
  IdempotencyClaim claim = IdempotencyClaim::claimed;
  IdempotencyRecord record;
};

/// Stored idempotency records.
class IdempotencyStore {
 public:
  virtual ~IdempotencyStore() = default;
  /// Stores `candidate` (in progress, until its `expires_at`) unless a live record of the same
  /// (user_id, key) exists at `now`; an expired one is replaced. Atomic: of two callers racing
  /// with the same (user_id, key), exactly one gets `claimed`.
  virtual IdempotencyBegin begin_idempotent(const IdempotencyRecord& candidate, Timestamp now) = 0;
  /// Completes the in-progress record held by `owner` with the response; it then lives until
  /// `expires_at`. False when the record is no longer `owner`'s (lease lost) or gone.
  virtual bool complete_idempotent(std::string_view user_id, std::string_view key,
                                   std::string_view owner, int status, const std::string& body,
                                   const std::string& headers, Timestamp expires_at) = 0;
  /// Deletes the in-progress record held by `owner` (the request ended without a response worth
  /// replaying); nothing when it is not `owner`'s.
  virtual void release_idempotent(std::string_view user_id, std::string_view key,
                                  std::string_view owner) = 0;
  /// Deletes up to `limit` records expired at `now`; returns how many.
  virtual std::int64_t prune_idempotency(Timestamp now, int limit) = 0;
  /// The live or expired record of (user_id, key), if stored (tests, operators).
  virtual std::optional<IdempotencyRecord> find_idempotency(std::string_view user_id,
                                                            std::string_view key) = 0;
};

}  // namespace task
