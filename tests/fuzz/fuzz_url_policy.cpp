// Fuzzes outbound URLs (webhook config.url, provider and backup destinations) and the address
// policy, through url_policy_harness.hpp. Properties: never throws; a parsed URL has a scheme of
// http/https, a host without blanks, slashes or controls and a port in range; the webhook origin
// plus target re-parse to the same parts; the policy refuses every loopback, private and
// link-local form. For numeric hosts the two policies of today are compared: they disagree
// (finding 5: the backup list is narrower), which TASK_FUZZ_STRICT turns into a failure.
#include <arpa/inet.h>

#include <cstring>

#include "support.hpp"
#include "url_policy_harness.hpp"

using namespace task;

namespace {

bool is_numeric_ip(const std::string& host) {
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

bool plain_host(const std::string& h) {
  for (unsigned char c : h)
    if (c <= ' ' || c == '/' || c == '\\' || c == '@') return false;
  return !h.empty();
}

/// Addresses that must be refused whatever else changes (loopback, private, link-local, ...).
bool must_refuse(const std::string& ip) {
  in_addr v4{};
  if (inet_pton(AF_INET, ip.c_str(), &v4) == 1) {
    const auto a = ntohl(v4.s_addr);
    const auto b0 = a >> 24, b1 = (a >> 16) & 0xff;
    return b0 == 0 || b0 == 10 || b0 == 127 || (b0 == 169 && b1 == 254) ||
           (b0 == 172 && (b1 & 0xf0) == 16) || (b0 == 192 && b1 == 168);
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, ip.c_str(), &v6) != 1) return false;
  const auto* b = v6.s6_addr;
  static const unsigned char zero[16] = {};
  return (std::memcmp(b, zero, 15) == 0 && b[15] <= 1) ||  // :: and ::1
         (b[0] & 0xfe) == 0xfc ||                          // unique local
         (b[0] == 0xfe && (b[1] & 0xc0) == 0x80);          // link-local
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string url(fuzz::as_text(data, size));
  if (const auto u = fuzz::parse_webhook_url(url)) {
    fuzz::check(u->scheme == "http" || u->scheme == "https", "webhook scheme", url);
    fuzz::check(plain_host(u->host), "webhook host with blanks, controls or slashes", url);
    if (u->host.find('\x7f') != std::string::npos)
      fuzz::known_issue("url-host-del",
                        "the webhook URL parser keeps DEL (0x7f) in a host: " + url);
    fuzz::check(u->port >= 1 && u->port <= 65535, "webhook port out of range", url);
    fuzz::check(!u->target.empty() && u->target[0] == '/', "webhook target", url);
    fuzz::check(u->target.find('#') == std::string::npos, "webhook target keeps the fragment", url);
    if (u->host.find_first_of("[]") == std::string::npos) {
      const auto again = fuzz::parse_webhook_url(u->origin + u->target);
      fuzz::check(
          again && again->host == u->host && again->port == u->port && again->target == u->target,
          "webhook origin + target do not re-parse to the same URL", url);
    }
    if (is_numeric_ip(u->host)) {
      const bool webhook = fuzz::webhook_allows_address(u->host);
      if (must_refuse(u->host))
        fuzz::check(!webhook, "webhook policy allows a non-public address", u->host);
      if (webhook != fuzz::backup_allows_address(u->host))
        fuzz::known_finding(5, "webhook and backup address policies disagree on " + u->host);
    }
  }
  if (const auto p = fuzz::parse_provider_url(url)) {
    fuzz::check(p->scheme == "http" || p->scheme == "https", "provider scheme", url);
    fuzz::check(p->target.empty() || p->target[0] == '/', "provider prefix", url);
    if (is_numeric_ip(p->host) && must_refuse(p->host))
      fuzz::check(!fuzz::backup_allows_address(p->host),
                  "backup policy allows a non-public address", p->host);
  }
  // The numeric policy on the raw text too (hosts reach it after resolution as well).
  if (size <= 64 && is_numeric_ip(url) && must_refuse(url))
    fuzz::check(!fuzz::webhook_allows_address(url), "webhook policy allows a non-public address",
                url);
  return 0;
}
