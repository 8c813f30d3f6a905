#pragma once
/// base64url without padding (RFC 4648 §5): the list cursor's text, and JWT segments in tests.
/// Pure functions; thread-safe.
#include <optional>
#include <string>
#include <string_view>

namespace task {

/// The unpadded base64url text of `bytes`.
std::string base64url_encode(std::string_view bytes);

/// The bytes of unpadded base64url `text`; nullopt when it holds a character outside the
/// alphabet (padding `=` included).
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace task
