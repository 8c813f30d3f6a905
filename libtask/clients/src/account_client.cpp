#include "task/clients/account_client.hpp"

#include <httplib.h>

#include <boost/json.hpp>

#include "task/clients/http_target.hpp"
#include "task/core/trace_context.hpp"

namespace task::clients {

AccountDirectory::AccountDirectory(std::string base_url, std::chrono::seconds ttl,
                                   std::chrono::milliseconds timeout)
    : base_url_(std::move(base_url)), ttl_(ttl), timeout_(timeout) {
  while (!base_url_.empty() && base_url_.back() == '/')
    base_url_.pop_back();
  if (!parse_http_url(base_url_))
    throw std::invalid_argument("account service URL is not http(s): " + base_url_);
}

void AccountDirectory::remember(std::string_view user_id, SubscriptionLevel level) {
  std::lock_guard lock(mutex_);
  cache_[std::string(user_id)] = {level, std::chrono::steady_clock::now() + ttl_};
}

std::optional<SubscriptionLevel> AccountDirectory::level_of(std::string_view user_id) {
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mutex_);
    if (auto it = cache_.find(user_id); it != cache_.end() && it->second.expires > now)
      return it->second.level;
  }
  const auto url = parse_http_url(base_url_);
  httplib::Client cli(url->origin());
  cli.set_connection_timeout(timeout_);
  cli.set_read_timeout(timeout_);
  {  // W3C trace context of the request or run this call is made for
    httplib::Headers trace_headers;
    for (auto& [name, value] : trace::outbound_headers())
      trace_headers.emplace(name, value);
    cli.set_default_headers(std::move(trace_headers));
  }
  const std::string prefix = url->target == "/" ? "" : url->target;
  auto res = cli.Get(prefix + "/api/v1/accounts/" +
                     httplib::detail::encode_query_param(std::string(user_id)) + "/subscription");
  if (!res) return std::nullopt;
  std::optional<SubscriptionLevel> level;
  if (res->status == 200) {
    boost::system::error_code ec;
    auto v = boost::json::parse(res->body, ec);
    if (ec || !v.is_object()) return std::nullopt;
    for (const char* key : {"subscription_level", "tier", "level"})
      if (auto* s = v.as_object().if_contains(key); s && s->is_string() && !level)
        level = parse_enum<SubscriptionLevel>(s->as_string());
    if (!level) return std::nullopt;
  } else if (res->status != 404) {
    return std::nullopt;
  }
  std::lock_guard lock(mutex_);
  cache_[std::string(user_id)] = {level, now + ttl_};
  return level;
}

}  // namespace task::clients
