#include "auth.hpp"

#include <jwt.h>

#include <boost/json/parse.hpp>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "task/core/errors.hpp"

namespace task::server {

bool valid_user_id(const std::string& s) {
  if (s.empty() || s.size() > 255) return false;
  bool any_visible = false;
  for (unsigned char c : s) {
    if (c < 0x20 || c > 0x7e) return false;
    any_visible = any_visible || c != ' ';
  }
  return any_visible;
}

namespace {

bool secret_matches(const std::string& given, const std::string& expected) {
  if (expected.empty() || given.size() != expected.size()) return false;
  unsigned char diff = 0;  // constant time in the secret's length
  for (std::size_t i = 0; i < given.size(); ++i)
    diff |= static_cast<unsigned char>(given[i] ^ expected[i]);
  return diff == 0;
}

std::optional<long> int_claim(jwt_t* jwt, const char* name) {
  errno = 0;
  const long v = jwt_get_grant_int(jwt, name);
  if (errno == ENOENT) return std::nullopt;
  if (errno != 0) throw Unauthenticated("Invalid token");
  return v;
}

/// A NumericDate claim (RFC 7519 §2: a JSON number of seconds since the epoch, which may be
/// non-integer). nullopt when absent; any other JSON type makes the token invalid.
std::optional<double> numeric_date(jwt_t* jwt, const char* name) {
  std::unique_ptr<char, decltype(&std::free)> text(jwt_get_grants_json(jwt, name), &std::free);
  if (!text) return std::nullopt;
  boost::system::error_code ec;
  const auto v = boost::json::parse(text.get(), ec);
  if (ec) throw Unauthenticated("Invalid token");
  if (!v.is_number()) throw Unauthenticated("Invalid token");
  const double d = v.to_number<double>();
  if (!std::isfinite(d)) throw Unauthenticated("Invalid token");
  return d;
}

}  // namespace

Identity verify_jwt(const std::string& token, const AuthSettings& s,
                    std::chrono::system_clock::time_point now) {
  const bool hs = !s.jwt_secret.empty();
  const auto& key = hs ? s.jwt_secret : s.jwt_public_key;
  jwt_t* raw = nullptr;
  if (jwt_decode(&raw, token.c_str(), reinterpret_cast<const unsigned char*>(key.data()),
                 static_cast<int>(key.size())) != 0 ||
      raw == nullptr)
    throw Unauthenticated("Invalid token");
  std::unique_ptr<jwt_t, decltype(&jwt_free)> jwt(raw, &jwt_free);
  // The algorithm must be the configured one: no "none", no HS256 signed with a public key.
  if (jwt_get_alg(jwt.get()) != (hs ? JWT_ALG_HS256 : JWT_ALG_RS256))
    throw Unauthenticated("Invalid token");
  const double secs =
      static_cast<double>(
          std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count()) /
      1e6;
  if (auto exp = numeric_date(jwt.get(), "exp"); exp && secs >= *exp)
    throw Unauthenticated("Invalid token");
  if (auto nbf = numeric_date(jwt.get(), "nbf"); nbf && secs < *nbf)
    throw Unauthenticated("Invalid token");
  numeric_date(jwt.get(), "iat");  // the type is checked; its value does not limit use
  Identity id;
  if (const char* sub = jwt_get_grant(jwt.get(), "sub")) id.user_id = sub;
  if (id.user_id.empty()) {
    if (const char* uid = jwt_get_grant(jwt.get(), "user_id"))
      id.user_id = uid;
    else if (auto n = int_claim(jwt.get(), "user_id"))
      id.user_id = std::to_string(*n);
  }
  if (!valid_user_id(id.user_id)) throw Unauthenticated("Invalid token");
  if (const char* level = jwt_get_grant(jwt.get(), "subscription_level")) {
    id.claimed_level = parse_enum<SubscriptionLevel>(level);
    if (!id.claimed_level) throw Unauthenticated("Invalid token");
  }
  return id;
}

Identity authenticate(const AuthHeaders& h, const AuthSettings& s,
                      std::chrono::system_clock::time_point now) {
  const bool claims_internal =
      h.internal_service && (*h.internal_service == "true" || *h.internal_service == "1");
  if (claims_internal) {
    if (!secret_matches(h.internal_secret.value_or(""), s.internal_secret))
      throw PermissionDenied("internal_service");
    Identity id;
    id.internal = true;
    if (h.user_id) {
      if (!valid_user_id(*h.user_id)) throw Unauthenticated("Authentication required");
      id.user_id = *h.user_id;
    }
    return id;
  }
  if (s.jwt_mode()) {
    const auto& a = h.authorization;
    if (!a) throw Unauthenticated("Authentication required");
    constexpr std::string_view kBearer = "Bearer ";
    if (a->size() <= kBearer.size() || strncasecmp(a->c_str(), "Bearer ", kBearer.size()) != 0)
      throw Unauthenticated("Invalid token");
    return verify_jwt(a->substr(kBearer.size()), s, now);
  }
  if (!h.user_id || !valid_user_id(*h.user_id)) throw Unauthenticated("Authentication required");
  return Identity{*h.user_id, false, std::nullopt};
}

}  // namespace task::server
