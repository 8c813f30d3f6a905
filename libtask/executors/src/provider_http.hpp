#pragma once
/// Private: HTTP + JSON plumbing shared by the provider executors.
#include <boost/json/value.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "task/executors/providers.hpp"

namespace task::executors::detail {

/// A parsed base URL: `http://host:port` for the client plus a path prefix ("" or "/api").
struct Endpoint {
  std::string origin;  ///< scheme://host[:port]
  std::string host;
  std::string prefix;  ///< without a trailing slash
};

/// Parses `http(s)://host[:port][/prefix]`; nullopt when it is not such a URL.
std::optional<Endpoint> parse_base_url(std::string_view url);

/// Percent-encodes a query component (RFC 3986 unreserved characters kept).
std::string url_encode(std::string_view s);

/// A JSON document from a provider, or the failed outcome that explains why there is none.
struct Fetched {
  boost::json::value json;
  std::optional<RunOutcome> failure;
};

/// GET {base}{path}?{query} expecting 2xx and a JSON object. `provider` names it in messages
/// ("weather provider"). Failures: PROVIDER_TIMEOUT, PROVIDER_UNREACHABLE, PROVIDER_HTTP_STATUS,
/// PROVIDER_BAD_RESPONSE.
Fetched get_json(std::string_view provider, const std::string& base_url, std::string_view path,
                 const std::vector<std::pair<std::string, std::string>>& query,
                 const ProviderConfig& config);

/// The outcome of a run whose provider URL is not configured.
RunOutcome not_configured(std::string_view provider, std::string_view env_var);

/// The result of sending a body somewhere: an HTTP status, or an error text when none came.
struct Sent {
  int status = 0;
  std::string error;  ///< empty when a response arrived
  bool timed_out = false;
};

/// Sends `body` with `method` (POST/PUT) to a full URL (`http(s)://host[:port]/path`).
Sent send_body(std::string_view method, const std::string& url, const std::string& body,
               const std::string& content_type, const ProviderConfig& config);

/// True when `host` resolves only to public addresses (not loopback, private, link-local,
/// unspecified); false when it cannot be resolved.
bool resolves_to_public_address(const std::string& host);

/// The successful outcome of a provider run (one API call) that reports `result`. With a `note`
/// the owner is told first; a failed delivery never fails the run. Sets result "notified" (false
/// without a note; a key already there keeps its place) and, when delivery failed,
/// "notification_error".
RunOutcome notify_and_report(Notifier* notifier, const std::optional<Notification>& note,
                             boost::json::object result);

/// Base of the executors that call a provider and tell the task's owner: holds the provider
/// config and the notifier (which may be null).
class ProviderExecutor : public Executor {
 public:
  ProviderExecutor(ProviderConfig config, std::shared_ptr<Notifier> notifier)
      : config_(std::move(config)), notifier_(std::move(notifier)) {}

 protected:
  ProviderConfig config_;
  std::shared_ptr<Notifier> notifier_;
};

/// Reads a number (int64, uint64 or double) from a JSON value.
std::optional<double> as_number(const boost::json::value& v);

}  // namespace task::executors::detail
