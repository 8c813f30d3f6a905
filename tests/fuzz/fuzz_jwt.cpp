// Fuzzes JWT verification (task-server's JWT mode, apps/task-server/src/auth.cpp) and the identity
// headers. The first byte picks the mode: 0 a raw token, checked in HS256 and RS256 mode; 1 a
// claims object the target signs with the HS256 key (so claim handling is reached, past the
// signature); 2 a header and claims (newline-separated), signed with the HS256 key; 3 the
// identity headers (X-User-ID, Authorization, X-Internal-Service, its secret, one per line).
// Properties: only Unauthenticated and PermissionDenied escape; an accepted token has the
// configured algorithm, a valid user id, no numeric exp at or before now and no numeric nbf after
// it; claims of the wrong type are refused (finding 6: a string or float nbf is accepted today).
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <boost/json/object.hpp>
#include <chrono>
#include <cmath>

#include "auth.hpp"
#include "support.hpp"
#include "task/codec/base64url.hpp"
#include "task/core/errors.hpp"

namespace json = boost::json;
using namespace task;
using server::AuthSettings;
using server::Unauthenticated;

namespace {

constexpr const char* kSecret = "fuzz-hs256-secret";
// The public half of a key made for the seed corpus (RS256 seeds are signed with it).
constexpr const char* kPublicKey =
    "-----BEGIN PUBLIC "
    "KEY-----"
    "\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAqKWgXEAA3A4rfcIGNEiV\nnTnkTBuZ7BO30Pm7xts+WqU+"
    "M0QRvth49LoRaxHUwJvhb9IEemEGyXp3Evbc2vD7\nR4dv5W2Z+y9oZIltyQDzptI+"
    "wLhLAkyBMBwnUkBk2caCF54OO1gXJIP/"
    "OIypN4Xi\nOX1fz3rutPDqLq5oGTzcjWoE2D4XDy6Ig4ktpRrnOefhfsK7DsOPtyTKfb1PW6K/"
    "\njh+nsjvscosDfk4KYlY9tATjpmRaMCw/wqhjzM9E6p0bziBfvNjuScOu7vTn26zA\nhDDAq4tZWm8/"
    "GsYNRIpQY+0WC5E5li8WRFY2R6rvPylvJ6S2W62oVgpputT5DfAX\nFwIDAQAB\n-----END PUBLIC KEY-----\n";

std::chrono::system_clock::time_point now() {
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          fuzz::fixed_now().time_since_epoch()));
}

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(fuzz::fixed_now().time_since_epoch())
      .count();
}

std::string sign_hs256(std::string_view header, std::string_view claims) {
  const std::string input = base64url_encode(header) + "." + base64url_encode(claims);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), kSecret, static_cast<int>(std::strlen(kSecret)),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
  return input + "." + base64url_encode({reinterpret_cast<const char*>(mac), len});
}

AuthSettings hs256() {
  AuthSettings s;
  s.jwt_secret = kSecret;
  s.internal_secret = "fuzz-internal-secret";
  return s;
}

AuthSettings rs256() {
  AuthSettings s;
  s.jwt_public_key = kPublicKey;
  return s;
}

/// The claims of an accepted token must say what the verifier did.
void check_accepted(const server::Identity& id, const std::optional<json::value>& header,
                    const std::optional<json::value>& claims) {
  fuzz::check(server::valid_user_id(id.user_id), "accepted token with an invalid user id",
              id.user_id);
  if (header && header->is_object()) {
    const auto* alg = header->as_object().if_contains("alg");
    fuzz::check(alg && alg->is_string() && alg->as_string() == "HS256",
                "a token accepted with another algorithm than HS256");
  }
  if (!claims || !claims->is_object()) return;
  const auto& c = claims->as_object();
  for (const char* name : {"exp", "nbf"}) {
    const auto* v = c.if_contains(name);
    if (!v) continue;
    if (!v->is_number()) {
      fuzz::known_finding(6, std::string("a non-numeric ") + name + " claim is accepted");
      continue;
    }
    // A fractional NumericDate is valid (RFC 7519) and must be honoured like an integer one.
    const double t = v->to_number<double>();
    const bool exp = std::string_view(name) == "exp";
    if (exp)
      fuzz::check(!(t <= static_cast<double>(now_seconds())), "expired token accepted");
    else
      fuzz::check(!(t > static_cast<double>(now_seconds())), "token used before nbf accepted");
  }
}

template <class F>
void expect_auth_errors_only(F&& f) {
  try {
    f();
  } catch (const Unauthenticated&) {
  } catch (const PermissionDenied&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0 || size > 8192) return 0;
  const auto mode = data[0] % 4;
  const std::string rest(fuzz::as_text(data + 1, size - 1));
  switch (mode) {
    case 0:
      expect_auth_errors_only(
          [&] { check_accepted(server::verify_jwt(rest, hs256(), now()), {}, {}); });
      expect_auth_errors_only(
          [&] { check_accepted(server::verify_jwt(rest, rs256(), now()), {}, {}); });
      break;
    case 1: {
      const std::string header = R"({"alg":"HS256","typ":"JWT"})";
      const auto token = sign_hs256(header, rest);
      expect_auth_errors_only([&] {
        check_accepted(server::verify_jwt(token, hs256(), now()), fuzz::parse_json(header),
                       fuzz::parse_json(rest));
      });
      break;
    }
    case 2: {
      const auto nl = rest.find('\n');
      const std::string header = rest.substr(0, nl);
      const std::string claims = nl == std::string::npos ? std::string() : rest.substr(nl + 1);
      const auto token = sign_hs256(header, claims);
      expect_auth_errors_only([&] {
        check_accepted(server::verify_jwt(token, hs256(), now()), fuzz::parse_json(header),
                       fuzz::parse_json(claims));
      });
      expect_auth_errors_only([&] { server::verify_jwt(token, rs256(), now()); });
      break;
    }
    default: {
      server::AuthHeaders h;
      std::optional<std::string>* fields[] = {&h.user_id, &h.authorization, &h.internal_service,
                                              &h.internal_secret};
      std::size_t pos = 0;
      for (auto* f : fields) {
        if (pos > rest.size()) break;
        const auto nl = rest.find('\n', pos);
        *f = rest.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
        pos = nl == std::string::npos ? rest.size() + 1 : nl + 1;
      }
      for (const auto& settings : {AuthSettings{}, hs256()}) {
        expect_auth_errors_only([&] {
          const auto id = server::authenticate(h, settings, now());
          if (!id.internal || !id.user_id.empty())
            fuzz::check(server::valid_user_id(id.user_id), "authenticated an invalid user id",
                        id.user_id);
          if (id.internal)
            fuzz::check(
                h.internal_secret == settings.internal_secret && !settings.internal_secret.empty(),
                "internal caller without the secret");
        });
      }
    }
  }
  return 0;
}
