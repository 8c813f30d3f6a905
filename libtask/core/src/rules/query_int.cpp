#include "task/rules/query_int.hpp"

#include <charconv>

#include "task/core/errors.hpp"

namespace task {

std::int64_t query_int(const std::optional<std::string>& text, std::string_view name,
                       std::int64_t lo, std::int64_t hi, std::int64_t fallback) {
  if (!text) return fallback;
  const std::vector<std::string> loc{"query", std::string(name)};
  std::int64_t n = 0;
  const auto* end = text->data() + text->size();
  const auto [ptr, ec] = std::from_chars(text->data(), end, n);
  if (text->empty() || ptr != end || ec == std::errc::invalid_argument)
    throw ValidationError(loc, "Input should be a valid integer", "int_parsing");
  if (ec == std::errc::result_out_of_range || n < lo || n > hi)
    throw ValidationError(
        loc, "Input should be between " + std::to_string(lo) + " and " + std::to_string(hi));
  return n;
}

}  // namespace task
