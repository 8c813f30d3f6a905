#pragma once
/// The request head (request line + header fields) exactly as the client sent it, checked before
/// cpp-httplib's decoded view of it is used. The library percent-decodes every header value and
/// lets the first of two repeated fields win; task-server reads identity and framing fields from
/// the raw bytes instead and refuses heads a proxy in front could read differently.
#include <httplib.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace task::server {

/// Length of the complete request head at the start of `bytes`, through the blank line that ends
/// it (the request line, then lines up to one that is exactly CRLF, as cpp-httplib reads them);
/// 0 while the head is incomplete.
std::size_t complete_head_length(std::string_view bytes);

/// The outcome of checking a request head.
struct RequestHead {
  int status = 0;            ///< 0 = acceptable, else the 4xx/5xx to answer (and close)
  std::string detail;        ///< the reason, sent as `{"detail": …}`
  httplib::Headers headers;  ///< every field with its value byte-for-byte (OWS trimmed)
  std::optional<std::uint64_t> content_length;
  bool chunked = false;  ///< `Transfer-Encoding: chunked`
  /// True when a request body follows the head.
  bool has_body() const { return chunked || content_length.value_or(0) > 0; }
};

/// Checks a complete head (`complete_head_length` bytes). Refused (status 400 unless said):
/// header lines not ending in CRLF; field names that are not RFC 9110 tokens (also whitespace
/// before the colon, obsolete line folding); NUL, CR, LF or other control characters (except
/// HTAB) in values; repeated `X-User-ID`, `Authorization`, `X-Internal-Service`,
/// `X-Internal-Service-Secret`, `Host`, `Transfer-Encoding` or `Content-Encoding`; two
/// `Content-Length` fields that differ or one that is not a decimal number; `Content-Length`
/// together with `Transfer-Encoding`; a transfer coding other than `chunked` (501); a content
/// coding other than gzip, deflate, br or identity, or a multipart body (415).
RequestHead check_request_head(std::string_view head);

}  // namespace task::server
