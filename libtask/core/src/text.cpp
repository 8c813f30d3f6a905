#include "task/core/text.hpp"

#include <cctype>
#include <exception>
#include <random>

namespace task {

std::string percent_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::optional<int> whole_number_in(const std::string& text, int lo, int hi) {
  std::size_t used = 0;
  int n = 0;
  try {
    n = std::stoi(text, &used);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (used != text.size() || n < lo || n > hi) return std::nullopt;
  return n;
}

std::string random_hex(std::size_t n) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(n, '0');
  do {
    for (std::size_t i = 0; i < n; i += 16) {
      auto r = rng();
      for (std::size_t j = 0; j < 16 && i + j < n; ++j, r >>= 4)
        out[i + j] = kHex[r & 0xf];
    }
  } while (n > 0 && out.find_first_not_of('0') == std::string::npos);
  return out;
}

}  // namespace task
