// Outbound HTTP: URL parsing, the address policy, resolve once, connect to the checked address.
#include "task/clients/outbound.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <httplib.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstring>

#include "task/core/errors.hpp"
#include "task/core/run_deadline.hpp"
#include "task/core/trace_context.hpp"
#include "task/rules/http_fields.hpp"

namespace task::clients {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && lower(a) == lower(b);
}

}  // namespace

std::string HttpUrl::origin() const {
  const bool v6 = host.find(':') != std::string::npos;
  return scheme + "://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string HttpUrl::prefix() const {
  std::string p = target.substr(0, target.find('?'));
  while (!p.empty() && p.back() == '/')
    p.pop_back();
  return p;
}

std::optional<HttpUrl> parse_http_url(std::string_view url) {
  for (char c : url)
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) return std::nullopt;
  HttpUrl u;
  const auto sep = url.find("://");
  if (sep == std::string_view::npos) return std::nullopt;
  u.scheme = lower(url.substr(0, sep));
  if (u.scheme != "http" && u.scheme != "https") return std::nullopt;
  auto rest = url.substr(sep + 3);
  const auto slash = rest.find_first_of("/?#");
  auto authority = rest.substr(0, slash);
  u.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (const auto hash = u.target.find('#'); hash != std::string::npos) u.target.resize(hash);
  if (u.target.empty() || u.target[0] == '?') u.target = "/" + u.target;
  if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;
  std::string_view port_text;
  if (authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    u.host = std::string(authority.substr(1, close - 1));
    in6_addr probe{};
    if (inet_pton(AF_INET6, u.host.c_str(), &probe) != 1) return std::nullopt;
    auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::nullopt;
      port_text = after.substr(1);
      if (port_text.empty()) return std::nullopt;
    }
  } else {
    const auto colon = authority.rfind(':');
    u.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return std::nullopt;
    }
    if (u.host.find_first_of("[]:") != std::string::npos) return std::nullopt;
  }
  if (u.host.empty()) return std::nullopt;
  for (char c : u.host)
    if (c == '/' || c == '\\' || c == '%') return std::nullopt;
  u.port = u.scheme == "https" ? 443 : 80;
  if (!port_text.empty()) {
    int p = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), p);
    if (ec != std::errc{} || end != port_text.data() + port_text.size() || p < 1 || p > 65535)
      return std::nullopt;
    u.port = p;
  }
  return u;
}

namespace {

/// IPv4 in 1 to 4 parts, each decimal, 0x-hex or 0-octal; the last part fills the remaining
/// bytes (the inet_aton forms).
std::optional<std::uint32_t> legacy_ipv4(std::string_view s) {
  std::array<std::uint64_t, 4> parts{};
  std::size_t n = 0, i = 0;
  while (true) {
    if (n == parts.size()) return std::nullopt;
    unsigned base = 10;
    if (i < s.size() && s[i] == '0') {
      base = 8;
      if (i + 1 < s.size() && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
        base = 16;
        i += 2;
      }
    }
    const std::size_t start = i;
    std::uint64_t v = 0;
    for (; i < s.size() && s[i] != '.'; ++i) {
      const auto c = static_cast<unsigned char>(std::tolower(static_cast<unsigned char>(s[i])));
      unsigned d = 0;
      if (c >= '0' && c <= '9')
        d = c - '0';
      else if (c >= 'a' && c <= 'f')
        d = c - 'a' + 10;
      else
        return std::nullopt;
      if (d >= base) return std::nullopt;
      v = v * base + d;
      if (v > 0xffffffffULL) return std::nullopt;
    }
    if (i == start) return std::nullopt;  // empty part, or "0x" without digits
    parts[n++] = v;
    if (i == s.size()) break;
    ++i;  // '.'
  }
  std::uint32_t a = 0;
  for (std::size_t k = 0; k + 1 < n; ++k) {
    if (parts[k] > 255) return std::nullopt;
    a |= static_cast<std::uint32_t>(parts[k]) << (24 - 8 * k);
  }
  const unsigned rest_bits = 8 * static_cast<unsigned>(5 - n);
  if (rest_bits < 32 && parts[n - 1] >> rest_bits) return std::nullopt;
  return a | static_cast<std::uint32_t>(parts[n - 1]);
}

std::string v4_text(std::uint32_t a) {
  return std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 255) + "." +
         std::to_string((a >> 8) & 255) + "." + std::to_string(a & 255);
}

struct Range4 {
  std::uint32_t net;
  int bits;
  const char* name;
};

// Every IPv4 range that is not globally reachable (IANA special-purpose registry) plus multicast
// and the reserved class E: docs/security-outbound.md lists the same table.
constexpr std::array<Range4, 16> kRanges4 = {{
    {0x00000000, 8, "0.0.0.0/8 \"this network\""},
    {0x0A000000, 8, "10.0.0.0/8 private"},
    {0x64400000, 10, "100.64.0.0/10 carrier-grade NAT"},
    {0x7F000000, 8, "127.0.0.0/8 loopback"},
    {0xA9FE0000, 16, "169.254.0.0/16 link-local"},
    {0xAC100000, 12, "172.16.0.0/12 private"},
    {0xC0000000, 24, "192.0.0.0/24 IETF protocol assignments"},
    {0xC0000200, 24, "192.0.2.0/24 documentation"},
    {0xC0586300, 24, "192.88.99.0/24 6to4 relay anycast"},
    {0xC0A80000, 16, "192.168.0.0/16 private"},
    {0xC6120000, 15, "198.18.0.0/15 benchmarking"},
    {0xC6336400, 24, "198.51.100.0/24 documentation"},
    {0xCB007100, 24, "203.0.113.0/24 documentation"},
    {0xE0000000, 4, "224.0.0.0/4 multicast"},
    {0xFFFFFFFF, 32, "255.255.255.255 broadcast"},
    {0xF0000000, 4, "240.0.0.0/4 reserved"},
}};

std::optional<std::string> range_v4(std::uint32_t a) {
  for (const auto& r : kRanges4) {
    const std::uint32_t mask = ~std::uint32_t{0} << (32 - r.bits);
    if ((a & mask) == r.net) return std::string(r.name);
  }
  return std::nullopt;
}

std::uint32_t v4_at(const std::uint8_t* b) {
  return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) |
         std::uint32_t{b[3]};
}

std::optional<std::string> range_v6(const in6_addr& v6) {
  const auto* b = v6.s6_addr;
  static constexpr std::array<std::uint8_t, 16> kZero{};
  auto prefix = [b](std::initializer_list<std::uint8_t> bytes) {
    std::size_t i = 0;
    for (auto x : bytes)
      if (b[i++] != x) return false;
    return true;
  };
  if (std::memcmp(b, kZero.data(), 15) == 0 && b[15] == 0) return "::/128 unspecified";
  if (std::memcmp(b, kZero.data(), 15) == 0 && b[15] == 1) return "::1/128 loopback";
  if (std::memcmp(b, kZero.data(), 10) == 0 && b[10] == 0xff && b[11] == 0xff) {
    if (auto r = range_v4(v4_at(b + 12))) return "::ffff:0:0/96 IPv4-mapped " + *r;
    return std::nullopt;
  }
  if (std::memcmp(b, kZero.data(), 12) == 0) return "::/96 IPv4-compatible (deprecated)";
  if (prefix({0x00, 0x64, 0xff, 0x9b}) && std::memcmp(b + 4, kZero.data(), 8) == 0) {
    if (auto r = range_v4(v4_at(b + 12))) return "64:ff9b::/96 NAT64 of " + *r;
    return std::nullopt;
  }
  if (prefix({0x00, 0x64, 0xff, 0x9b, 0x00, 0x01})) return "64:ff9b:1::/48 local NAT64";
  if (prefix({0x01, 0x00, 0, 0, 0, 0, 0, 0})) return "100::/64 discard-only";
  if (prefix({0x20, 0x01}) && b[2] < 0x02) return "2001::/23 IETF protocol assignments";
  if (prefix({0x20, 0x01, 0x0d, 0xb8})) return "2001:db8::/32 documentation";
  if (prefix({0x20, 0x02})) {
    if (auto r = range_v4(v4_at(b + 2))) return "2002::/16 6to4 of " + *r;
    return std::nullopt;
  }
  if (b[0] == 0x3f && b[1] == 0xff && (b[2] & 0xf0) == 0) return "3fff::/20 documentation";
  if ((b[0] & 0xfe) == 0xfc) return "fc00::/7 unique local";
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return "fe80::/10 link-local";
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return "fec0::/10 site-local (deprecated)";
  if (b[0] == 0xff) return "ff00::/8 multicast";
  return std::nullopt;
}

}  // namespace

std::optional<std::string> numeric_host(std::string_view host) {
  if (host.find(':') != std::string_view::npos) {
    const std::string text(host);
    in6_addr v6{};
    if (inet_pton(AF_INET6, text.c_str(), &v6) != 1) return std::nullopt;
    char buf[INET6_ADDRSTRLEN] = {};
    if (!inet_ntop(AF_INET6, &v6, buf, sizeof buf)) return std::nullopt;
    return std::string(buf);
  }
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  if (auto a = legacy_ipv4(host)) return v4_text(*a);
  return std::nullopt;
}

std::optional<std::string> non_public_range(std::string_view ip) {
  const std::string text(ip);
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) return range_v4(ntohl(v4.s_addr));
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) return range_v6(v6);
  return "not an IP address";
}

bool is_non_public_address(std::string_view ip) {
  return non_public_range(ip).has_value();
}

ResolvedHost system_resolve(const std::string& host, int port) {
  ResolvedHost out;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  const auto service = std::to_string(port);
  if (int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &res); rc != 0) {
    out.error = gai_strerror(rc);
    return out;
  }
  for (auto* p = res; p; p = p->ai_next) {
    if (p->ai_family != AF_INET && p->ai_family != AF_INET6) continue;
    char buf[INET6_ADDRSTRLEN] = {};
    const void* src =
        p->ai_family == AF_INET
            ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(p->ai_addr)->sin_addr)
            : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(p->ai_addr)->sin6_addr);
    if (inet_ntop(p->ai_family, src, buf, sizeof buf)) {
      std::string a(buf);
      if (std::find(out.addresses.begin(), out.addresses.end(), a) == out.addresses.end())
        out.addresses.push_back(std::move(a));
    }
  }
  freeaddrinfo(res);
  if (out.addresses.empty()) out.error = "no addresses";
  return out;
}

std::variant<Vetted, Refused> vet_target(std::string_view url, AddressPolicy policy,
                                         const Resolver& resolver) {
  using R = Refused::Reason;
  auto parsed = parse_http_url(url);
  if (!parsed) return Refused{R::invalid_url, "not an http(s) URL", {}, {}};
  const bool checked = policy == AddressPolicy::public_only;
  std::vector<std::string> addresses;
  if (auto numeric = numeric_host(parsed->host)) {
    addresses.push_back(*numeric);
  } else {
    std::string name = lower(parsed->host);
    if (!name.empty() && name.back() == '.') name.pop_back();
    if (checked && (name == "localhost" || name.ends_with(".localhost")))
      return Refused{R::forbidden, "host " + parsed->host + " is a loopback name", {}, "localhost"};
    const auto resolved = resolver ? resolver(parsed->host, parsed->port)
                                   : ResolvedHost{{}, "no resolver configured"};
    if (!resolved.error.empty() || resolved.addresses.empty())
      return Refused{R::dns_failed,
                     "host '" + parsed->host + "' could not be resolved: " +
                         (resolved.error.empty() ? std::string("no addresses") : resolved.error),
                     {},
                     {}};
    for (const auto& a : resolved.addresses) {
      // A resolver answers in standard notation; anything else is not trusted to mean one thing.
      in_addr v4{};
      const bool standard = inet_pton(AF_INET, a.c_str(), &v4) == 1 || a.find(':') != a.npos;
      auto canonical = standard ? numeric_host(a) : std::nullopt;
      if (!canonical)
        return Refused{R::dns_failed, "resolver returned '" + a + "', not an address", {}, {}};
      addresses.push_back(*canonical);
    }
  }
  if (checked) {
    for (const auto& a : addresses)
      if (auto range = non_public_range(a))
        return Refused{
            R::forbidden,
            "host " + parsed->host + " resolves to non-public address " + a + " (" + *range + ")",
            a, *range};
  }
  return Vetted{std::move(*parsed), addresses.front()};
}

std::string OutboundResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (iequals(k, name)) return v;
  return {};
}

OutboundResponse httplib_transport(const Vetted& vetted, const OutboundRequest& request,
                                   const Timeouts& timeouts) {
  OutboundResponse out;
  if (!is_http_token(request.method)) {
    out.error = "method is not an HTTP token";
    return out;
  }
  httplib::Request req;
  req.method = request.method;
  req.path = request.target.empty() ? vetted.url.target : request.target;
  if (req.path.find_first_of(" \r\n") != std::string::npos ||
      req.path.find('\0') != req.path.npos) {
    out.error = "request target holds spaces or control characters";
    return out;
  }
  bool has_content_type = false;
  for (const auto& [k, v] : request.headers) {
    if (!is_http_token(k) || !is_safe_header_value(v)) {
      out.error = "header '" + k + "' is not a token with a value free of CR, LF and NUL";
      return out;
    }
    has_content_type = has_content_type || iequals(k, "content-type");
    req.headers.emplace(k, v);
  }
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
      request.method == "PATCH") {
    req.body = request.body;
    if (!has_content_type && !request.content_type.empty())
      req.headers.emplace("Content-Type", request.content_type);
  }
  const auto limit = request.max_response_bytes;
  req.content_receiver = [&](const char* data, std::size_t n, std::uint64_t, std::uint64_t) {
    const auto room = limit - std::min(limit, out.body.size());
    out.body.append(data, std::min(room, n));
    out.truncated = out.truncated || n > room;
    return true;
  };

  httplib::Client cli(vetted.url.origin());
  cli.set_hostname_addr_map({{vetted.url.host, vetted.address}});  // never resolves again
  cli.set_connection_timeout(timeouts.connect);
  cli.set_read_timeout(timeouts.read);
  cli.set_write_timeout(timeouts.read);
  cli.set_follow_location(false);
  cli.set_keep_alive(false);
  const auto start = std::chrono::steady_clock::now();
  auto res = cli.send(req);
  out.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  if (!res) {
    const auto err = res.error();
    out.error = httplib::to_string(err);
    // cpp-httplib reports a read timeout as Error::Read; tell it from a reset by the time spent.
    out.timed_out = err == httplib::Error::ConnectionTimeout ||
                    (err == httplib::Error::Read && out.elapsed >= timeouts.read * 9 / 10);
    out.body.clear();
    out.truncated = false;
    return out;
  }
  out.status = res->status;
  for (const auto& [k, v] : res->headers)
    out.headers.emplace_back(k, v);
  return out;
}

std::variant<OutboundResponse, Refused> Outbound::send(std::string_view url, AddressPolicy policy,
                                                       const OutboundRequest& request,
                                                       const Timeouts& timeouts) const {
  auto vetted = vet_target(url, policy, resolver);
  if (auto* refused = std::get_if<Refused>(&vetted)) return std::move(*refused);
  if (!transport) return OutboundResponse{0, {}, {}, false, "no transport configured", false, {}};
  // A call made for a run ends by the run's deadline (task/core/run_deadline.hpp): that is how a
  // provider that never answers is cut off without a thread watching the run.
  Timeouts bounded = timeouts;
  if (const auto left = deadline::remaining()) {
    if (left->count() <= 0)
      return OutboundResponse{0, {}, {}, false, "the run's time was up before the call", true, {}};
    bounded.connect = std::min(bounded.connect, *left);
    bounded.read = std::min(bounded.read, *left);
  }
  // W3C trace context of the request or run this call is made for, on every outbound call (a
  // header the caller set itself, e.g. a webhook's own traceparent, wins).
  auto traced = trace::outbound_headers();
  if (traced.empty()) return transport(std::get<Vetted>(vetted), request, bounded);
  OutboundRequest with_trace = request;
  for (auto& header : traced) {
    const std::string& name = header.first;  // not a structured binding: clang 14 lambdas
    const bool present =
        std::any_of(with_trace.headers.begin(), with_trace.headers.end(), [&](const auto& h) {
          return h.first.size() == name.size() &&
                 std::equal(h.first.begin(), h.first.end(), name.begin(), [](char a, char b) {
                   return std::tolower(static_cast<unsigned char>(a)) ==
                          std::tolower(static_cast<unsigned char>(b));
                 });
        });
    if (!present) with_trace.headers.push_back(std::move(header));
  }
  return transport(std::get<Vetted>(vetted), with_trace, bounded);
}

void require_success(const std::variant<OutboundResponse, Refused>& sent,
                     const std::string& service) {
  if (const auto* refused = std::get_if<Refused>(&sent))
    throw Unavailable(service + " unreachable: " + refused->message);
  const auto& res = std::get<OutboundResponse>(sent);
  if (!res.error.empty()) throw Unavailable(service + " unreachable: " + res.error);
  if (res.status < 200 || res.status >= 300)
    throw Unavailable(service + " answered HTTP " + std::to_string(res.status));
}

}  // namespace task::clients
