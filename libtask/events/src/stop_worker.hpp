#pragma once
// Stopping a background thread that waits on its owner's condition variable.
#include <mutex>
#include <thread>

namespace task::events::detail {

/// Sets `state.stopping` under `state.mu`, wakes `state.cv` and joins `worker` (when it runs).
template <class State>
void stop_worker(State& state, std::thread& worker) {
  {
    std::lock_guard lock(state.mu);
    state.stopping = true;
  }
  state.cv.notify_all();
  if (worker.joinable()) worker.join();
}

}  // namespace task::events::detail
