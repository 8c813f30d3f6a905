#pragma once
// A copy of one stored row of the in-memory repository, looked up by key under its mutex.
#include <mutex>
#include <optional>

namespace task::memory {

/// The value stored under `key` in `map`, copied with `mu` held; nullopt when there is none.
template <class Map, class Key>
std::optional<typename Map::mapped_type> copy_of(std::mutex& mu, const Map& map, const Key& key) {
  std::lock_guard lock(mu);
  const auto it = map.find(key);
  if (it == map.end()) return std::nullopt;
  return it->second;
}

}  // namespace task::memory
