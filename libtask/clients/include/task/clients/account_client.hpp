#pragma once
/// The account service adapter of the SubscriptionDirectory port (ACCOUNT_SERVICE_URL), cached.
///
/// Request: `GET {base}/api/v1/accounts/{user_id}/subscription`; the answer's
/// `subscription_level` (or `tier`) is the level. 404 means "unknown user" (nullopt); other
/// failures also give nullopt (the caller falls back to the default tier) and are not cached.
/// The URL is the operator's: AddressPolicy::any (docs/security-outbound.md).
///
/// Ownership: AccountDirectory owns its URL, Outbound and cache; it is usually shared through a
/// shared_ptr<SubscriptionDirectory>. Thread-safety: level_of and remember may be called from any
/// number of threads at once (a mutex guards the cache; the HTTP call runs outside it).
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "task/clients/outbound.hpp"
#include "task/core/time.hpp"
#include "task/ports/collaborators.hpp"

namespace task::clients {

/// Looks levels up in the account service and caches answers for `ttl`.
class AccountDirectory final : public SubscriptionDirectory {
 public:
  explicit AccountDirectory(std::string base_url,
                            std::chrono::seconds ttl = std::chrono::seconds(300),
                            std::chrono::milliseconds timeout = std::chrono::milliseconds(2000),
                            Outbound outbound = {});
  std::optional<SubscriptionLevel> level_of(std::string_view user_id) override;
  /// Replaces a cached level (e.g. from a subscription.changed event).
  void remember(std::string_view user_id, SubscriptionLevel level);

 private:
  struct Entry {
    std::optional<SubscriptionLevel> level;
    std::chrono::steady_clock::time_point expires;
  };
  std::string base_url_;
  std::chrono::seconds ttl_;
  std::chrono::milliseconds timeout_;
  Outbound outbound_;
  std::mutex mutex_;
  std::map<std::string, Entry, std::less<>> cache_;
};

}  // namespace task::clients
