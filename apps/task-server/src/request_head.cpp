#include "request_head.hpp"

#include <strings.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace task::server {

std::size_t complete_head_length(std::string_view bytes) {
  const auto first = bytes.find('\n');  // the request line
  if (first == std::string_view::npos) return 0;
  std::size_t pos = first + 1;
  for (;;) {
    const auto nl = bytes.find('\n', pos);
    if (nl == std::string_view::npos) return 0;
    if (nl == pos + 1 && bytes[pos] == '\r') return nl + 1;
    pos = nl + 1;
  }
}

namespace {

bool is_tchar(unsigned char c) {
  static constexpr std::string_view kExtra = "!#$%&'*+-.^_`|~";
  return std::isalnum(c) || kExtra.find(static_cast<char>(c)) != std::string_view::npos;
}

bool is_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(),
                                   [](char c) { return is_tchar(static_cast<unsigned char>(c)); });
}

/// Field values: visible ASCII, SP, HTAB and obs-text (RFC 9110 §5.5); no NUL, CR, LF, DEL or
/// other control characters.
bool is_field_value(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return c == '\t' || (c >= 0x20 && c != 0x7f);
  });
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && strncasecmp(s.data(), prefix.data(), prefix.size()) == 0;
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

/// Fields whose second copy is refused: identity (a gateway that appends instead of replacing
/// would otherwise let the client's copy win) and framing.
constexpr std::array<std::string_view, 7> kSingleFields = {
    "X-User-ID", "Authorization",     "X-Internal-Service", "X-Internal-Service-Secret",
    "Host",      "Transfer-Encoding", "Content-Encoding"};

RequestHead refuse(RequestHead h, int status, std::string detail) {
  h.status = status;
  h.detail = std::move(detail);
  return h;
}

}  // namespace

RequestHead check_request_head(std::string_view head) {
  RequestHead out;
  auto pos = head.find('\n');
  if (pos == std::string_view::npos) return refuse(std::move(out), 400, "Malformed request line");
  ++pos;
  std::optional<std::string> length_text;
  while (pos < head.size()) {
    const auto nl = head.find('\n', pos);
    if (nl == std::string_view::npos) break;
    auto line = head.substr(pos, nl - pos);
    pos = nl + 1;
    if (line == "\r") break;  // the blank line that ends the head
    if (line.empty() || line.back() != '\r')
      return refuse(std::move(out), 400, "Header line not terminated by CRLF");
    line.remove_suffix(1);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos)
      return refuse(std::move(out), 400, "Malformed header line");
    const auto name = line.substr(0, colon);
    if (!is_token(name)) return refuse(std::move(out), 400, "Malformed header name");
    const auto value = trim_ows(line.substr(colon + 1));
    if (!is_field_value(value))
      return refuse(
          std::move(out), 400,
          "Control character in header " + std::string(name) + " (NUL, CR, LF or similar)");
    const std::string key(name);
    for (auto single : kSingleFields)
      if (iequals(name, single) && out.headers.count(key) > 0)
        return refuse(std::move(out), 400, "Repeated header " + std::string(single));
    if (iequals(name, "Content-Length")) {
      if (value.empty() || value.size() > 18 ||
          !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return refuse(std::move(out), 400, "Invalid Content-Length");
      if (length_text && *length_text != value)
        return refuse(std::move(out), 400, "Conflicting Content-Length headers");
      if (length_text) continue;  // an identical repeat: keep one
      length_text = std::string(value);
      out.content_length = std::stoull(*length_text);
    }
    std::string stored(value);
    if (iequals(name, "Content-Encoding"))  // cpp-httplib compares it case-sensitively
      std::transform(stored.begin(), stored.end(), stored.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    out.headers.emplace(key, std::move(stored));
  }
  if (out.headers.count("Transfer-Encoding") > 0) {
    if (out.content_length)
      return refuse(std::move(out), 400, "Content-Length together with Transfer-Encoding");
    if (!iequals(out.headers.find("Transfer-Encoding")->second, "chunked"))
      return refuse(std::move(out), 501, "Transfer-Encoding other than chunked is not supported");
    out.chunked = true;
  }
  if (auto it = out.headers.find("Content-Encoding"); it != out.headers.end()) {
    const auto& c = it->second;
    if (c != "gzip" && c != "deflate" && c != "br" && c != "identity")
      return refuse(std::move(out), 415, "Unsupported Content-Encoding (gzip, deflate or br)");
  }
  if (auto it = out.headers.find("Content-Type");
      it != out.headers.end() && istarts_with(it->second, "multipart/"))
    return refuse(std::move(out), 415, "Request bodies are JSON (application/json)");
  return out;
}

}  // namespace task::server
