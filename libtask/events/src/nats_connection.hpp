#pragma once
// Private: one nats.c connection with infinite reconnects, state callbacks and counters. Shared
// by the publisher and the subscriber.
#include <nats/nats.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "task/events/log.hpp"
#include "task/events/nats_sink.hpp"

namespace task::events::detail {

/// State the nats.c callbacks touch; outlives the connection object when a close times out.
struct ConnState {
  LogFn log;
  std::string component;
  std::atomic<bool> connected{false};
  std::atomic<bool> fresh{true};  ///< set on each (re)connect: re-detect JetStream, resubscribe
  std::atomic<std::int64_t> disconnects{0};
  std::atomic<std::int64_t> reconnects{0};
  std::mutex mu;
  std::condition_variable cv;
  bool closed = false;
  std::function<void()> on_connected;  // guarded by mu
};

/// A connection; the destructor closes it and waits for nats.c to release the callbacks.
class NatsConnection {
 public:
  NatsConnection(const NatsOptions& options, LogFn log, std::string component);
  ~NatsConnection();
  NatsConnection(const NatsConnection&) = delete;
  NatsConnection& operator=(const NatsConnection&) = delete;

  natsConnection* get() const { return nc_; }
  /// True when the connection is established right now.
  bool connected() const;
  /// The server URL connected to, or "".
  std::string connected_url() const;
  void set_on_connected(std::function<void()> cb);
  ConnState& state() { return *state_; }
  const ConnState& state() const { return *state_; }

 private:
  std::shared_ptr<ConnState> state_;
  natsConnection* nc_ = nullptr;
};

/// "nats: <status text>: <last error>" for exceptions and logs.
std::string nats_error(natsStatus s);

}  // namespace task::events::detail
