#include "provider_http.hpp"
#include "task/codec/json_numbers.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <httplib.h>
#include <boost/json/parse.hpp>
#include <chrono>

namespace task::executors::detail {

namespace {

constexpr std::size_t kMaxBody = 8 * 1024 * 1024;

template <class Duration>
void apply_timeouts(httplib::Client& client, Duration connect, Duration read) {
  const auto c = std::chrono::duration_cast<std::chrono::microseconds>(connect).count();
  const auto r = std::chrono::duration_cast<std::chrono::microseconds>(read).count();
  client.set_connection_timeout(c / 1000000, c % 1000000);
  client.set_read_timeout(r / 1000000, r % 1000000);
  client.set_write_timeout(r / 1000000, r % 1000000);
}

bool is_timeout(httplib::Error e, std::chrono::steady_clock::duration elapsed,
                const ProviderConfig& config) {
  if (e == httplib::Error::ConnectionTimeout) return true;
  // cpp-httplib reports a read timeout as Error::Read; tell it from a reset by the time spent.
  return e == httplib::Error::Read && elapsed >= config.read_timeout * 9 / 10;
}

std::string ms_text(std::chrono::milliseconds d) {
  return std::to_string(d.count()) + " ms";
}

}  // namespace

std::optional<Endpoint> parse_base_url(std::string_view url) {
  std::string_view scheme;
  if (url.starts_with("http://"))
    scheme = "http://";
  else if (url.starts_with("https://"))
    scheme = "https://";
  else
    return std::nullopt;
  auto rest = url.substr(scheme.size());
  const auto slash = rest.find('/');
  const auto authority = rest.substr(0, slash);
  if (authority.empty() || authority.find_first_of("@ ?#") != std::string_view::npos)
    return std::nullopt;
  Endpoint e;
  e.origin = std::string(scheme) + std::string(authority);
  if (authority.front() == '[') {
    e.host = std::string(authority.substr(1, authority.find(']') - 1));
  } else {
    e.host = std::string(authority.substr(0, authority.find(':')));
  }
  if (slash != std::string_view::npos) e.prefix = std::string(rest.substr(slash));
  while (!e.prefix.empty() && e.prefix.back() == '/')
    e.prefix.pop_back();
  return e;
}

std::string url_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

RunOutcome not_configured(std::string_view provider, std::string_view env_var) {
  return RunOutcome::fail(
      std::string(provider) + " is not configured (set " + std::string(env_var) + ")",
      "PROVIDER_NOT_CONFIGURED", {{"provider", provider}});
}

Fetched get_json(std::string_view provider, const std::string& base_url, std::string_view path,
                 const std::vector<std::pair<std::string, std::string>>& query,
                 const ProviderConfig& config) {
  const std::string who(provider);
  const auto endpoint = parse_base_url(base_url);
  if (!endpoint) return {{}, not_configured(provider, "a valid http(s):// base URL")};
  std::string target = endpoint->prefix + std::string(path);
  for (std::size_t i = 0; i < query.size(); ++i)
    target += (i ? "&" : "?") + query[i].first + "=" + url_encode(query[i].second);
  const boost::json::object where{{"provider", who}, {"url", endpoint->origin + target}};

  httplib::Client client(endpoint->origin);
  apply_timeouts(client, config.connect_timeout, config.read_timeout);
  const auto started = std::chrono::steady_clock::now();
  auto res = client.Get(target.c_str(), httplib::Headers{{"Accept", "application/json"}});
  const auto elapsed = std::chrono::steady_clock::now() - started;
  if (!res) {
    auto details = where;
    details["transport_error"] = httplib::to_string(res.error());
    if (is_timeout(res.error(), elapsed, config)) {
      details["timeout_ms"] = config.read_timeout.count();
      return {{},
              RunOutcome::fail(who + " timed out after " + ms_text(config.read_timeout),
                               "PROVIDER_TIMEOUT", details)};
    }
    return {{},
            RunOutcome::fail(who + " unreachable: " + httplib::to_string(res.error()),
                             "PROVIDER_UNREACHABLE", details)};
  }
  if (res->status < 200 || res->status >= 300) {
    auto details = where;
    details["status"] = res->status;
    details["body"] = res->body.substr(0, 512);
    return {{},
            RunOutcome::fail(who + " answered HTTP " + std::to_string(res->status),
                             "PROVIDER_HTTP_STATUS", details)};
  }
  if (res->body.size() > kMaxBody) {
    return {{}, RunOutcome::fail(who + " response too large", "PROVIDER_BAD_RESPONSE", where)};
  }
  boost::system::error_code ec;
  auto json = parse_json(res->body, ec);  // exact numbers (docs/api.md "Numbers in JSON")
  if (ec || !json.is_object()) {
    auto details = where;
    details["body"] = res->body.substr(0, 512);
    return {{},
            RunOutcome::fail(who + " returned " +
                                 (ec ? "invalid JSON: " + ec.message()
                                     : std::string("JSON that is not an object")),
                             "PROVIDER_BAD_RESPONSE", details)};
  }
  return {std::move(json), std::nullopt};
}

Sent send_body(std::string_view method, const std::string& url, const std::string& body,
               const std::string& content_type, const ProviderConfig& config) {
  const auto endpoint = parse_base_url(url);
  if (!endpoint) return {0, "not an http(s) URL", false};
  httplib::Client client(endpoint->origin);
  apply_timeouts(client, config.connect_timeout, config.read_timeout);
  const std::string path = endpoint->prefix.empty() ? "/" : endpoint->prefix;
  const auto started = std::chrono::steady_clock::now();
  auto res = method == "PUT" ? client.Put(path.c_str(), body, content_type.c_str())
                             : client.Post(path.c_str(), body, content_type.c_str());
  const auto elapsed = std::chrono::steady_clock::now() - started;
  if (!res) return {0, httplib::to_string(res.error()), is_timeout(res.error(), elapsed, config)};
  return {res->status, "", false};
}

bool resolves_to_public_address(const std::string& host) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  if (::getaddrinfo(host.c_str(), nullptr, &hints, &list) != 0 || !list) return false;
  bool all_public = true;
  for (auto* p = list; p; p = p->ai_next) {
    if (p->ai_family == AF_INET) {
      const auto a = ntohl(reinterpret_cast<sockaddr_in*>(p->ai_addr)->sin_addr.s_addr);
      const auto b0 = a >> 24, b1 = (a >> 16) & 0xff;
      if (b0 == 0 || b0 == 10 || b0 == 127 || (b0 == 169 && b1 == 254) ||
          (b0 == 172 && (b1 & 0xf0) == 16) || (b0 == 192 && b1 == 168) ||
          (b0 == 100 && (b1 & 0xc0) == 64) || b0 >= 224)
        all_public = false;
    } else if (p->ai_family == AF_INET6) {
      const auto& a = reinterpret_cast<sockaddr_in6*>(p->ai_addr)->sin6_addr;
      if (IN6_IS_ADDR_LOOPBACK(&a) || IN6_IS_ADDR_UNSPECIFIED(&a) || IN6_IS_ADDR_LINKLOCAL(&a) ||
          IN6_IS_ADDR_V4MAPPED(&a) || (a.s6_addr[0] & 0xfe) == 0xfc || IN6_IS_ADDR_MULTICAST(&a))
        all_public = false;
    }
  }
  ::freeaddrinfo(list);
  return all_public;
}

RunOutcome notify_and_report(Notifier* notifier, const std::optional<Notification>& note,
                             boost::json::object result) {
  result["notified"] = false;
  if (note && !notifier) {
    result["notification_error"] = "no notifier configured";
  } else if (note) {
    try {
      notifier->notify(*note);
      result["notified"] = true;
    } catch (const std::exception& e) {
      result["notification_error"] = e.what();
    }
  }
  return RunOutcome::ok(std::move(result), 1);
}

std::optional<double> as_number(const boost::json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  if (v.is_double()) return v.get_double();
  return std::nullopt;
}

}  // namespace task::executors::detail
