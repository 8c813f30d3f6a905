#pragma once
/// One integer query parameter (`?days=30`, `?limit=100`, `?wait_ms=0`) read the API's way
/// (docs/api.md §5): a whole decimal number, no sign other than `-`, no spaces. Pure; thread-safe.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace task {

/// `text` absent -> `fallback`. Otherwise its integer if it lies in [lo, hi]; else throws
/// ValidationError at ["query", name]: "int_parsing" for text that is not an integer,
/// "value_error" ("Input should be between lo and hi") out of range.
std::int64_t query_int(const std::optional<std::string>& text, std::string_view name,
                       std::int64_t lo, std::int64_t hi, std::int64_t fallback);

}  // namespace task
