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

/// The timeouts of a provider config for the outbound module.
clients::Timeouts timeouts_of(const ProviderConfig& config);

/// A JSON document from a provider, or the failed outcome that explains why there is none.
struct Fetched {
  boost::json::value json;
  std::optional<RunOutcome> failure;
};

/// GET {base}{path}?{query} expecting 2xx and a JSON object. `provider` names it in messages
/// ("weather provider"). Provider URLs are configured by the operator: AddressPolicy::any, still
/// resolved once and connected to the resolved address. Failures: PROVIDER_TIMEOUT,
/// PROVIDER_UNREACHABLE, PROVIDER_HTTP_STATUS, PROVIDER_BAD_RESPONSE.
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
  std::optional<clients::Refused> refused;  ///< set when the target was refused (nothing sent)
};

/// Sends `body` with `method` (POST/PUT) to a full URL (`http(s)://host[:port]/path`) through the
/// outbound module under `policy`.
Sent send_body(std::string_view method, const std::string& url, const std::string& body,
               const std::string& content_type, const ProviderConfig& config,
               clients::AddressPolicy policy);

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
  /// A notification of `kind` about the task of `ctx`, to its owner.
  static Notification note_for(const RunContext& ctx, std::string kind, std::string title,
                               std::string message, boost::json::object data) {
    return Notification{ctx.task.user_id, ctx.task.task_id,   std::move(kind),
                        std::move(title), std::move(message), std::move(data)};
  }
  /// notify_and_report through this executor's notifier.
  RunOutcome finish(const std::optional<Notification>& note, boost::json::object result) {
    return notify_and_report(notifier_.get(), note, std::move(result));
  }

  ProviderConfig config_;
  std::shared_ptr<Notifier> notifier_;
};

/// The factory of a ProviderExecutor type.
template <class E>
std::shared_ptr<Executor> make_provider_executor(const ProviderConfig& config,
                                                 std::shared_ptr<Notifier> notifier) {
  return std::make_shared<E>(config, std::move(notifier));
}

/// Reads a number (int64, uint64 or double) from a JSON value.
std::optional<double> as_number(const boost::json::value& v);

}  // namespace task::executors::detail
