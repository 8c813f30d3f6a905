#pragma once
/// The notification service adapter of the Notifier port (NOTIFICATION_SERVICE_URL).
///
/// Request: `POST {base}/api/v1/notifications` with `Content-Type: application/json` and body
/// `{"user_id","type","title","message","task_id","data":{...},"source":"task_service"}`.
/// Any 2xx is delivered; anything else (or no answer within the timeout) throws
/// task::Unavailable. docs/api.md documents the shape. The URL is the operator's:
/// AddressPolicy::any (docs/security-outbound.md).
///
/// Ownership: HttpNotifier owns copies of its settings; notify reads the notification only during
/// the call. Thread-safety: immutable after construction, each call opens its own connection: safe
/// from any number of threads; notification_body is pure.
#include <chrono>
#include <string>

#include "task/clients/outbound.hpp"
#include "task/ports/collaborators.hpp"

namespace task::clients {

/// Sends notifications to the notification service over HTTP.
class HttpNotifier final : public Notifier {
 public:
  /// `base_url` like `http://notification:8206`; `timeout` per connect/read/write.
  explicit HttpNotifier(std::string base_url,
                        std::chrono::milliseconds timeout = std::chrono::milliseconds(5000),
                        Outbound outbound = {});
  void notify(const Notification& n) override;

 private:
  std::string base_url_;
  std::string path_prefix_;
  std::chrono::milliseconds timeout_;
  Outbound outbound_;
};

/// The JSON body HttpNotifier sends for one notification.
boost::json::object notification_body(const Notification& n);

}  // namespace task::clients
