#pragma once
/// The one seam between fuzz_url_policy and the outbound URL parsers and address policies of
/// today: task::clients (webhooks, notification and account clients) and the private
/// parse_base_url / resolves_to_public_address of task::executors (providers, data backups).
/// When those are unified, only url_policy_harness.cpp changes.
#include <optional>
#include <string>
#include <string_view>

namespace task::fuzz {

/// An outbound URL as one parser understood it.
struct ParsedUrl {
  std::string scheme;  ///< "http" / "https"
  std::string host;    ///< without IPv6 brackets
  int port = 0;        ///< 0 when the parser does not report one
  std::string target;  ///< path (+ query) as the parser keeps it
  std::string origin;  ///< what the HTTP client is given
};

/// The webhook parser (task::clients::parse_http_url).
std::optional<ParsedUrl> parse_webhook_url(std::string_view url);
/// The provider / backup parser (task::executors::detail::parse_base_url).
std::optional<ParsedUrl> parse_provider_url(std::string_view url);

/// The webhook policy for a numeric address: true when it may be called.
bool webhook_allows_address(std::string_view numeric_ip);
/// The backup policy for a numeric address (no DNS: callers pass numeric hosts only).
bool backup_allows_address(const std::string& numeric_ip);

}  // namespace task::fuzz
