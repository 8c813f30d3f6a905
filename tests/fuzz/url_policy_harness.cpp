#include "url_policy_harness.hpp"

#include "task/clients/outbound.hpp"

namespace task::fuzz {

// One URL parser and one address policy serve every outbound caller (task/clients/outbound.hpp):
// webhooks, providers and backup destinations read URLs and vet addresses the same way.
std::optional<ParsedUrl> parse_webhook_url(std::string_view url) {
  const auto u = clients::parse_http_url(url);
  if (!u) return std::nullopt;
  return ParsedUrl{u->scheme, u->host, u->port, u->target, u->origin()};
}

std::optional<ParsedUrl> parse_provider_url(std::string_view url) {
  return parse_webhook_url(url);
}

bool webhook_allows_address(std::string_view numeric_ip) {
  return !clients::is_non_public_address(numeric_ip);
}

bool backup_allows_address(const std::string& numeric_ip) {
  return !clients::is_non_public_address(numeric_ip);
}

}  // namespace task::fuzz
