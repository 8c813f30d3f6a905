#pragma once
/// Identity (docs/api.md §4): gateway mode (X-User-ID), JWT mode (HS256 secret or RS256 public key,
/// via libjwt) and internal callers (X-Internal-Service + X-Internal-Service-Secret).
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>

#include "task/core/enums.hpp"

namespace task::server {

/// A 401 with its exact detail text ("Authentication required" or "Invalid token").
class Unauthenticated : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// How callers are authenticated.
struct AuthSettings {
  std::string jwt_secret;      ///< HS256; non-empty enables JWT mode
  std::string jwt_public_key;  ///< RS256 PEM text; non-empty enables JWT mode
  std::string internal_secret;
  bool jwt_mode() const { return !jwt_secret.empty() || !jwt_public_key.empty(); }
};

/// The headers identity depends on (values as received; nullopt = absent).
struct AuthHeaders {
  std::optional<std::string> user_id;
  std::optional<std::string> authorization;
  std::optional<std::string> internal_service;
  std::optional<std::string> internal_secret;
};

/// Who the request is from. `user_id` may be empty only for internal callers.
struct Identity {
  std::string user_id;
  bool internal = false;
  std::optional<SubscriptionLevel> claimed_level;  ///< from the JWT claim
};

/// True for 1–255 printable ASCII characters (no control characters).
bool valid_user_id(const std::string& s);

/// Resolves the caller. Throws Unauthenticated (401) or task::PermissionDenied (403, wrong
/// internal secret). `now` is used for exp/nbf.
Identity authenticate(const AuthHeaders& h, const AuthSettings& s,
                      std::chrono::system_clock::time_point now);

/// Verifies a JWT (signature with the configured key and algorithm, exp, nbf) and reads the
/// user (sub or user_id) and subscription_level. Throws Unauthenticated("Invalid token").
Identity verify_jwt(const std::string& token, const AuthSettings& s,
                    std::chrono::system_clock::time_point now);

}  // namespace task::server
