#pragma once
// MQTT helpers of the events tier: a private mosquitto broker on 127.0.0.1 (started and stopped
// by the test) and a Paho subscriber that collects messages.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "support.hpp"

namespace task::events::test {

/// A broker port for one test case: TASK_MQTT_PORT (a CMake cache variable) + `offset` (each
/// test case its own, as ctest runs them in parallel), or a free port when that one is taken.
int mqtt_test_port(int offset);

/// mosquitto on 127.0.0.1 with its own config and persistence file in a temporary directory;
/// stopped (SIGTERM, waited for) by stop() or destruction. The port stays the same across
/// stop()/start(), so clients reconnect to the restarted broker.
class MosquittoBroker {
 public:
  explicit MosquittoBroker(int port);
  ~MosquittoBroker();
  MosquittoBroker(const MosquittoBroker&) = delete;
  MosquittoBroker& operator=(const MosquittoBroker&) = delete;
  void start();
  void stop();
  std::string url() const;  ///< mqtt://127.0.0.1:<port>
  int port() const { return port_; }
  std::string log_path() const { return dir_.path + "/mosquitto.log"; }

 private:
  TempDir dir_;
  int port_;
  int pid_ = -1;
};

/// One received MQTT message.
struct MqttReceived {
  std::string topic;
  std::string body;
  int qos = 0;
};

/// Subscribes to `filter` with QoS 1 through Debian's mosquitto_sub (an independent client, on a
/// persistent session; it reconnects and subscribes again after a broker restart).
class MqttCollector {
 public:
  MqttCollector(const std::string& url, const std::string& filter);
  ~MqttCollector();
  MqttCollector(const MqttCollector&) = delete;
  MqttCollector& operator=(const MqttCollector&) = delete;
  /// Waits until at least `n` messages arrived.
  bool wait_for(std::size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(20));
  std::vector<MqttReceived> messages() const;
  bool subscribed() const;
  /// Successful subscribes so far (one per (re)connect).
  int subscriptions() const;

  struct Impl;

 private:
  Impl* impl_;
};

}  // namespace task::events::test
