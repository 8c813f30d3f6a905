#pragma once
// Conformance tests that run one body on several connections of one database at once.
#include <atomic>
#include <catch2/catch.hpp>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "backend.hpp"

namespace task::test {

/// Runs body(repo, i) on `threads` threads at once, each with a connection of its own (one
/// "process" per thread); returns how many threads ended with an exception.
inline int on_connections(Fixture& f, int threads,
                          const std::function<void(TaskRepository&, int)>& body) {
  task::store::StoreOptions one;
  one.pool_size = 1;
  std::vector<std::shared_ptr<TaskRepository>> repos;
  for (int i = 0; i < threads; ++i)
    repos.push_back(f.open_another(one));
  std::atomic<int> thrown{0};
  std::vector<std::thread> running;
  for (int i = 0; i < threads; ++i)
    running.emplace_back([&, i] {
      try {
        body(*repos[static_cast<std::size_t>(i)], i);
      } catch (const std::exception& e) {
        ++thrown;
        WARN(e.what());
      }
    });
  for (auto& t : running)
    t.join();
  return thrown;
}

}  // namespace task::test
