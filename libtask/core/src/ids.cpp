#include <array>
#include <cstdint>
#include <mutex>
#include <random>
#include <string>

#include "task/ports/id_generator.hpp"

namespace task {
namespace {

/// Fills `n` random bytes from the OS CSPRNG. std::random_device on libstdc++/Linux reads
/// getrandom(2); one instance is shared under a mutex.
template <std::size_t N>
std::array<std::uint8_t, N> random_bytes() {
  static std::mutex mu;
  static std::random_device rd;
  std::array<std::uint8_t, N> out{};
  std::lock_guard lock(mu);
  for (std::size_t i = 0; i < N; i += 4) {
    const std::uint32_t v = rd();
    for (std::size_t j = 0; j < 4 && i + j < N; ++j)
      out[i + j] = static_cast<std::uint8_t>(v >> (8 * j));
  }
  return out;
}

constexpr char kHex[] = "0123456789abcdef";

std::string prefixed_hex_id(const char* prefix) {
  const auto bytes = random_bytes<12>();
  std::string s(prefix);
  for (auto b : bytes) {
    s.push_back(kHex[b >> 4]);
    s.push_back(kHex[b & 15]);
  }
  return s;
}

}  // namespace

std::string RandomIdGenerator::task_id() {
  return prefixed_hex_id("tsk_");
}
std::string RandomIdGenerator::execution_id() {
  return prefixed_hex_id("exe_");
}

std::string RandomIdGenerator::event_id() {
  auto b = random_bytes<16>();
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  std::string s;
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s.push_back('-');
    s.push_back(kHex[b[i] >> 4]);
    s.push_back(kHex[b[i] & 15]);
  }
  return s;
}

bool is_generated_id(std::string_view s, std::string_view prefix) {
  if (s.size() != prefix.size() + 24 || s.substr(0, prefix.size()) != prefix) return false;
  for (char c : s.substr(prefix.size()))
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace task
