#pragma once
// A stub provider on 127.0.0.1 (ephemeral port) for the executor tests, and helpers.
#include <httplib.h>

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "support/doubles.hpp"
#include "support/stub_server.hpp"
#include "task/executors/providers.hpp"

namespace task::test {

/// The stub provider of the executor tests (tests/support/stub_server.hpp).
using StubProvider = testing::StubServer;

using testing::RecordingNotifier;

/// A provider config with short timeouts for tests.
inline executors::ProviderConfig test_config() {
  executors::ProviderConfig c;
  c.connect_timeout = std::chrono::milliseconds(200);
  c.read_timeout = std::chrono::milliseconds(200);
  return c;
}

using testing::context;
using testing::error_code;

}  // namespace task::test
