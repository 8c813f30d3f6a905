#pragma once
/// Small text conversions shared by the adapters and the apps (URLs, settings).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace task {

/// Percent-encodes a path segment, a query component or URL userinfo (RFC 3986 unreserved
/// characters kept, every other byte as %XX).
std::string percent_encode(std::string_view s);

/// `text` as a whole number from `lo` to `hi` (std::stoi's syntax: leading blanks and a sign
/// allowed, nothing after the digits); nullopt for anything else.
std::optional<int> whole_number_in(const std::string& text, int lo, int hi);

/// `n` random lowercase hex digits, never all zeros (request ids, trace and span ids, tokens;
/// a per-thread 64-bit generator seeded from std::random_device: unique, not secret).
std::string random_hex(std::size_t n);

}  // namespace task
