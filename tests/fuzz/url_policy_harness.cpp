#include "url_policy_harness.hpp"

#include "provider_http.hpp"  // task::executors private header (include path set by CMake)
#include "task/clients/http_target.hpp"

namespace task::fuzz {

std::optional<ParsedUrl> parse_webhook_url(std::string_view url) {
  const auto u = clients::parse_http_url(url);
  if (!u) return std::nullopt;
  return ParsedUrl{u->scheme, u->host, u->port, u->target, u->origin()};
}

std::optional<ParsedUrl> parse_provider_url(std::string_view url) {
  const auto e = executors::detail::parse_base_url(url);
  if (!e) return std::nullopt;
  const auto scheme = e->origin.substr(0, e->origin.find(':'));
  return ParsedUrl{scheme, e->host, 0, e->prefix, e->origin};
}

bool webhook_allows_address(std::string_view numeric_ip) {
  return !clients::is_non_public_address(numeric_ip);
}

bool backup_allows_address(const std::string& numeric_ip) {
  return executors::detail::resolves_to_public_address(numeric_ip);
}

}  // namespace task::fuzz
