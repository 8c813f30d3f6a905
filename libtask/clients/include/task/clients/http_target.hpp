#pragma once
/// Parsing of outbound http(s) URLs and the address policy for webhooks: loopback, private,
/// link-local and other non-public addresses are refused unless explicitly allowed.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace task::clients {

/// An absolute http or https URL split into its parts.
struct HttpUrl {
  std::string scheme;  ///< "http" or "https"
  std::string host;    ///< without brackets for IPv6 literals
  int port = 0;        ///< explicit or the scheme's default
  std::string target;  ///< path + query, at least "/"

  /// "scheme://host:port" as cpp-httplib's Client wants it (IPv6 hosts bracketed).
  std::string origin() const;
};

/// Parses `http://host[:port][/path][?query]`; nullopt for anything else (other schemes,
/// credentials in the URL, empty host, bad port).
std::optional<HttpUrl> parse_http_url(std::string_view url);

/// True when a numeric IPv4/IPv6 address is not publicly routable: loopback, RFC 1918 private,
/// carrier-grade NAT, link-local, unspecified, multicast, unique-local, IPv4-mapped private...
bool is_non_public_address(std::string_view numeric_ip);

/// Result of resolving a host for an outbound call.
struct ResolvedHost {
  std::vector<std::string> addresses;  ///< numeric, in resolver order
  std::string error;                   ///< non-empty when resolution failed
};

/// Resolves `host` with getaddrinfo (numeric hosts are returned as they are).
ResolvedHost resolve_host(const std::string& host, int port);

}  // namespace task::clients
