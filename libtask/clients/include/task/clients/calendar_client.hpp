#pragma once
/// The calendar service adapter of the CalendarSync port (CALENDAR_SERVICE_URL):
/// `PUT {base}/events/{task_id}` with the event as JSON (docs/providers.md). Throws
/// task::Unavailable when the service is not configured, cannot be reached or answers non-2xx.
/// The URL is the operator's: AddressPolicy::any (docs/security-outbound.md).
///
/// Ownership: HttpCalendarSync owns copies of its settings; upsert_event reads the task only
/// during the call. Thread-safety: immutable after construction, each call opens its own
/// connection: safe from any number of threads; calendar_event_body is pure.
#include <memory>
#include <string>

#include "task/clients/outbound.hpp"
#include "task/ports/collaborators.hpp"

namespace task::clients {

/// Mirrors calendar_event tasks to the calendar service over HTTP.
class HttpCalendarSync final : public CalendarSync {
 public:
  /// `base_url` like `http://calendar:8207`; "" = not configured (every call throws).
  explicit HttpCalendarSync(std::string base_url, Timeouts timeouts = {}, Outbound outbound = {});
  void upsert_event(const Task& task) override;

 private:
  std::string base_url_;
  Timeouts timeouts_;
  Outbound outbound_;
};

/// The JSON body HttpCalendarSync sends for a task.
boost::json::object calendar_event_body(const Task& task);

}  // namespace task::clients
