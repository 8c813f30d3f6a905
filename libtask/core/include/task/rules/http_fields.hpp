#pragma once
/// Rules for the parts of an HTTP request a task's config may set (a webhook's `method` and
/// `headers`): checked when the task is created or updated and again when the request is sent,
/// so that no config can add a request line or a header of its own (docs/api.md, webhook
/// executor).
///
/// Ownership: arguments are read during the call and never kept; results are values the caller
/// owns. Thread-safety: pure functions without shared state; safe from any number of threads.
#include <array>
#include <string_view>

namespace task {

/// The methods a webhook may use.
inline constexpr std::array<std::string_view, 7> kWebhookMethods = {
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};

/// True when `s` is a non-empty HTTP token (RFC 9110 §5.6.2: letters, digits and
/// ``!#$%&'*+-.^_`|~``).
bool is_http_token(std::string_view s);

/// True when `s` can be a header value: no CR, LF, NUL or other control character except tab.
bool is_safe_header_value(std::string_view s);

/// True when `method` (any case) is one of kWebhookMethods.
bool is_webhook_method(std::string_view method);

}  // namespace task
