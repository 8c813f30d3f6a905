// HTTP token and header-value rules for the request parts a config may set.
#include "task/rules/http_fields.hpp"

#include <algorithm>
#include <cctype>

namespace task {

bool is_http_token(std::string_view s) {
  constexpr std::string_view kExtra = "!#$%&'*+-.^_`|~";
  return !s.empty() && std::all_of(s.begin(), s.end(), [&](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x80 && (std::isalnum(u) || kExtra.find(c) != std::string_view::npos);
  });
}

bool is_safe_header_value(std::string_view s) {
  return std::none_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && u != '\t') || u == 0x7f;
  });
}

bool is_webhook_method(std::string_view method) {
  return std::any_of(kWebhookMethods.begin(), kWebhookMethods.end(), [&](std::string_view m) {
    return m.size() == method.size() &&
           std::equal(m.begin(), m.end(), method.begin(), [](char a, char b) {
             return a == std::toupper(static_cast<unsigned char>(b));
           });
  });
}

}  // namespace task
