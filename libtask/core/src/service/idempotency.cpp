// Idempotency keys (task/service/idempotency.hpp; docs/api.md §16, Part 2 "Idempotency keys").
#include "task/service/idempotency.hpp"

#include "task/core/errors.hpp"
#include "task/core/text.hpp"

namespace task {

namespace {

/// Expired records deleted per pruning pass, and the time between passes of one guard.
constexpr int kPruneBatch = 500;
constexpr std::int64_t kPruneEveryUs = 60'000'000;

}  // namespace

bool valid_idempotency_key(std::string_view k) {
  if (k.empty() || k.size() > 255) return false;
  for (unsigned char c : k)
    if (c < 0x20 || c > 0x7e) return false;
  return true;
}

KeyedResult IdempotencyGuard::run(const std::string& user_id, const std::string& key,
                                  const std::string& fingerprint, std::chrono::milliseconds wait,
                                  const std::vector<std::string>& loc,
                                  const std::function<KeyedResponse()>& handler) {
  if (!valid_idempotency_key(key))
    throw ValidationError(loc, "Idempotency-Key must be 1-255 printable ASCII characters",
                          "value_error");
  const auto now = clock_.now();
  prune_now_and_then(now);

  IdempotencyRecord candidate;
  candidate.user_id = user_id;
  candidate.key = key;
  candidate.request_hash = fingerprint;
  candidate.owner = random_hex(32);
  candidate.created_at = now;
  candidate.expires_at = now + std::chrono::duration_cast<Micros>(kIdempotencyLease + wait);
  const auto begun = store_.begin_idempotent(candidate, now);
  switch (begun.claim) {
    case IdempotencyClaim::completed:
      return {KeyedOutcome::replayed,
              {begun.record.status, begun.record.body, begun.record.headers}};
    case IdempotencyClaim::in_progress:
      return {KeyedOutcome::in_progress, {}};
    case IdempotencyClaim::mismatch:
      throw ValidationError(loc,
                            "This Idempotency-Key was used for a different request (method, path "
                            "or body) in the last 24 hours",
                            "idempotency_key_reuse");
    case IdempotencyClaim::claimed:
      break;
  }

  auto release = [&] {
    try {
      store_.release_idempotent(user_id, key, candidate.owner);
    } catch (const std::exception& e) {  // the lease frees the key later
      warn("idempotency key not released", e.what());
    }
  };
  KeyedResponse response;
  try {
    response = handler();
  } catch (...) {
    release();
    throw;
  }
  if (response.status < 200 || response.status >= 300) {
    release();
    return {KeyedOutcome::answered, std::move(response)};
  }
  try {
    if (!store_.complete_idempotent(user_id, key, candidate.owner, response.status, response.body,
                                    response.headers, candidate.created_at + kIdempotencyLifetime))
      warn("idempotency lease lost before the response", "");
  } catch (const std::exception& e) {
    // The change is made and answered; the in-progress record frees the key after its lease.
    warn("idempotency response not stored", e.what());
  }
  return {KeyedOutcome::answered, std::move(response)};
}

void IdempotencyGuard::prune_now_and_then(Timestamp now) {
  const auto us = to_unix_micros(now);
  auto last = last_prune_us_.load();
  if (us - last < kPruneEveryUs || !last_prune_us_.compare_exchange_strong(last, us)) return;
  try {
    store_.prune_idempotency(now, kPruneBatch);
  } catch (const std::exception& e) {
    warn("idempotency pruning failed", e.what());
  }
}

}  // namespace task
