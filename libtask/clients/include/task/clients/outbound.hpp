#pragma once
/// Outbound HTTP, one module for every call the service makes to another host (webhooks, provider
/// executors, backup destinations, the calendar, notification and account services, the health
/// probes and the CLI's remote backend): URL parsing, the address policy, resolving once and
/// connecting to the address that was checked, and the one place that builds an httplib client
/// with timeouts (docs/security-outbound.md).
///
///   task::clients::Outbound out;  // system resolver, cpp-httplib transport
///   task::clients::OutboundRequest req("POST", "");  // "" = the URL's own path and query
///   req.body = "{}";
///   auto r = out.send("https://hooks.example/x", AddressPolicy::public_only, req, {});
///   if (auto* refused = std::get_if<Refused>(&r)) ...   // nothing was sent
///
/// Tests inject `resolver` and `transport`: the unit tier checks the policy with neither DNS nor
/// sockets.
///
/// Ownership: every type here is a value (URLs, requests, responses own their strings); string_view
/// parameters are read during the call only. Thread-safety: the free functions are pure apart from
/// DNS (system_resolve calls getaddrinfo, which is thread-safe); an Outbound is immutable after
/// construction and `send` may run on any number of threads at once, provided the injected
/// resolver and transport are safe to call concurrently (the defaults are: each request opens its
/// own connection).
#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "task/core/text.hpp"

namespace task::clients {

/// An absolute http or https URL split into its parts.
struct HttpUrl {
  std::string scheme;  ///< "http" or "https"
  std::string host;    ///< without brackets for IPv6 literals
  int port = 0;        ///< explicit or the scheme's default
  std::string target;  ///< path + query, at least "/"

  /// "scheme://host:port" as cpp-httplib's Client wants it (IPv6 hosts bracketed).
  std::string origin() const;
  /// The path without a trailing slash, "" for "/" (a base URL's prefix: `http://h/api/`).
  std::string prefix() const;
};

/// Parses `http(s)://host[:port][/path][?query][#fragment]`; nullopt for anything else: other
/// schemes, credentials in the URL, an empty host, a bad port, a bracketed host that is not an
/// IPv6 address, or spaces and control characters anywhere in the URL.
std::optional<HttpUrl> parse_http_url(std::string_view url);

/// Percent-encodes a path segment or a query component (task/core/text.hpp).
using task::percent_encode;

/// The canonical numeric address of a host written as an address: an IPv6 literal (without
/// brackets), dotted-decimal IPv4, or one of the legacy IPv4 forms the C library also accepts
/// (`2130706433`, `0x7f.1`, `0177.0.0.1`, 1 to 4 parts in decimal, hex or octal). One trailing dot
/// is ignored (`127.0.0.1.`). nullopt when `host` is a name.
std::optional<std::string> numeric_host(std::string_view host);

/// The non-public range that holds the numeric address `ip`, named ("127.0.0.0/8 loopback"), or
/// nullopt when the address is publicly routable. Text that is not a numeric address is refused
/// ("not an IP address"). The table is in docs/security-outbound.md.
std::optional<std::string> non_public_range(std::string_view ip);

/// True when non_public_range(ip) names a range.
bool is_non_public_address(std::string_view ip);

/// Result of resolving a host for an outbound call.
struct ResolvedHost {
  std::vector<std::string> addresses;  ///< numeric, in resolver order
  std::string error;                   ///< non-empty when resolution failed
};

/// Turns a host name into addresses (getaddrinfo in production; a table in tests).
using Resolver = std::function<ResolvedHost(const std::string& host, int port)>;

/// getaddrinfo (numeric hosts come back as they are).
ResolvedHost system_resolve(const std::string& host, int port);

/// Which addresses a call may reach.
enum class AddressPolicy {
  public_only,  ///< user-given targets: every resolved address must be public
  any,          ///< operator-configured services, and allow-private mode
};

/// A target that passed the policy: connect to `address` (checked), speak to `url.host`.
struct Vetted {
  HttpUrl url;
  std::string address;  ///< canonical numeric address; the only one connected to
};

/// Why nothing was sent.
struct Refused {
  enum class Reason { invalid_url, dns_failed, forbidden };
  Reason reason = Reason::invalid_url;
  std::string message;  ///< for the run's error_message
  std::string address;  ///< the refused address (forbidden), else empty
  std::string range;    ///< the range it is in (forbidden), else empty
};

/// Parses `url`, resolves its host once (numeric hosts are not resolved) and applies `policy` to
/// every address: one non-public address refuses the target (a name that resolves to a public and
/// a private address is refused). Names `localhost` and `*.localhost` are refused under
/// public_only without asking the resolver.
std::variant<Vetted, Refused> vet_target(std::string_view url, AddressPolicy policy,
                                         const Resolver& resolver);

/// One request. `method` and header names must be HTTP tokens and header values free of CR, LF
/// and NUL (task/rules/http_fields.hpp); the transport refuses anything else without connecting.
struct OutboundRequest {
  OutboundRequest() = default;
  OutboundRequest(std::string m, std::string t) : method(std::move(m)), target(std::move(t)) {}

  std::string method = "GET";
  std::string target;  ///< path + query; empty = the URL's own target
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string content_type;  ///< sent when the body is not empty (unless a header sets it)
  std::size_t max_response_bytes = 8 * 1024 * 1024;
};

/// How long to wait. Writes share the read timeout.
struct Timeouts {
  std::chrono::milliseconds connect{2000};
  std::chrono::milliseconds read{10000};
};

/// What came back; `error` is set (and status is 0) when no response arrived.
struct OutboundResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;        ///< at most max_response_bytes
  bool truncated = false;  ///< the body was longer than max_response_bytes
  std::string error;       ///< transport error text, empty when a response arrived
  bool timed_out = false;  ///< the error was a connect or read timeout
  std::chrono::milliseconds elapsed{0};

  /// First header `name` (case-insensitive), or "".
  std::string header(std::string_view name) const;
};

/// Sends a request to a vetted target; never resolves the host itself.
using Transport =
    std::function<OutboundResponse(const Vetted&, const OutboundRequest&, const Timeouts&)>;

/// The production transport: a cpp-httplib client to `vetted.url.origin()` whose host maps to
/// `vetted.address` (HTTPS keeps the host name for SNI and certificate checks), with the given
/// timeouts, redirects not followed, one request per connection.
OutboundResponse httplib_transport(const Vetted& vetted, const OutboundRequest& request,
                                   const Timeouts& timeouts);

/// Outbound HTTP with its resolver and transport (both replaceable for tests).
struct Outbound {
  Resolver resolver = system_resolve;
  Transport transport = httplib_transport;

  /// vet_target then transport: a Refused means nothing was sent. Inside a run (a deadline set
  /// by task::run_executor) the timeouts are shortened to the time the run has left, and a run
  /// already out of time gets a timed-out response without a connection.
  std::variant<OutboundResponse, Refused> send(std::string_view url, AddressPolicy policy,
                                               const OutboundRequest& request,
                                               const Timeouts& timeouts) const;
};

/// For a call to an operator-configured service (`service`: "calendar service", ...): returns
/// when `sent` is a 2xx answer, else throws task::Unavailable saying "<service> unreachable: why"
/// (refused, or no answer) or "<service> answered HTTP <status>".
void require_success(const std::variant<OutboundResponse, Refused>& sent,
                     const std::string& service);

}  // namespace task::clients
