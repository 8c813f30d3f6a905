#include "task/events/mqtt_sink.hpp"

#include <MQTTAsync.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <random>
#include <stdexcept>
#include <thread>
#include <vector>

#include "stop_worker.hpp"
#include "task/core/errors.hpp"
#include "task/events/nats_sink.hpp"

namespace task::events {

namespace {

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string rc_text(int rc) {
  const char* text = MQTTAsync_strerror(rc);
  return "mqtt: " + std::string(text ? text : "error") + " (" + std::to_string(rc) + ")";
}

std::string default_client_id(const std::string& name) {
  char host[64] = {};
  ::gethostname(host, sizeof host - 1);
  std::random_device rd;
  char suffix[9];
  std::snprintf(suffix, sizeof suffix, "%08x", rd());
  // MQTT 3.1.1 brokers must accept 23 characters; mosquitto and most others accept more.
  return name + "-" + host + "-" + std::to_string(::getpid()) + "-" + suffix;
}

}  // namespace

MqttUrl parse_mqtt_url(const std::string& url) {
  const auto fail = [&](const std::string& why) {
    return std::invalid_argument("MQTT_URL '" + url + "': " + why);
  };
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) throw fail("expected mqtt://host[:port]");
  const auto scheme = url.substr(0, scheme_end);
  if (scheme == "mqtts" || scheme == "ssl")
    throw fail(
        "TLS (mqtts://) is not supported by this build; use mqtt:// on a trusted network "
        "or a local TLS-terminating proxy");
  if (scheme != "mqtt" && scheme != "tcp")
    throw fail("unknown scheme '" + scheme + "' (expected mqtt:// or tcp://)");
  std::string rest = url.substr(scheme_end + 3);
  if (const auto slash = rest.find('/'); slash != std::string::npos) {
    if (rest.find_first_not_of('/', slash) != std::string::npos)
      throw fail("a path is not allowed (topics are task_service/<user_id>/task/<event>)");
    rest.resize(slash);
  }
  MqttUrl out;
  if (const auto at = rest.rfind('@'); at != std::string::npos) {
    const auto userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    const auto colon = userinfo.find(':');
    out.username = percent_decode(userinfo.substr(0, colon));
    if (colon != std::string::npos) out.password = percent_decode(userinfo.substr(colon + 1));
  }
  std::string host = rest;
  std::string port = "1883";
  if (!rest.empty() && rest.front() == '[') {  // [ipv6]:port
    const auto close = rest.find(']');
    if (close == std::string::npos) throw fail("unterminated [IPv6] host");
    host = rest.substr(0, close + 1);
    if (close + 1 < rest.size()) {
      if (rest[close + 1] != ':') throw fail("expected ':' after the [IPv6] host");
      port = rest.substr(close + 2);
    }
  } else if (const auto colon = rest.rfind(':'); colon != std::string::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  if (host.empty()) throw fail("no host");
  if (port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      std::stoi(port) < 1 || std::stoi(port) > 65535)
    throw fail("port '" + port + "' is not a number from 1 to 65535");
  out.server_uri = "tcp://" + host + ":" + port;
  out.display = "mqtt://" + host + ":" + port;
  return out;
}

std::string mqtt_topic(const Event& e, const std::string& prefix) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string user;
  for (const char ch : e.user_id) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '/' || c == '+' || c == '#' || c == '%' || c < 0x20 || c == 0x7f) {
      user += '%';
      user += kHex[c >> 4];
      user += kHex[c & 0xf];
    } else {
      user += ch;
    }
  }
  std::string_view event = e.type;
  if (event.starts_with("task.")) event.remove_prefix(5);
  std::string topic = prefix + "/" + user + "/task/";
  for (const char ch : event)
    topic += ch == '.' ? '/' : ch;
  return topic;
}

/// The acknowledgements of one batch; shared with the Paho callbacks of its messages, which can
/// arrive after the batch stopped waiting.
struct MqttBatch {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<char> state;  // 0 pending, 1 acknowledged, 2 failed
  std::size_t completed = 0;
  bool aborted = false;  // the connection was lost: stop waiting
  std::string error;
};

struct MqttPending {
  std::shared_ptr<MqttBatch> batch;
  std::size_t index;
};

struct MqttEventSink::Impl {
  MqttOptions options;
  LogFn log;
  MqttUrl url;
  std::string client_id;
  MQTTAsync client = nullptr;

  mutable std::mutex mu;
  std::condition_variable cv;
  bool connected = false;
  bool connecting = false;
  bool ever_connected = false;
  bool stopping = false;
  std::chrono::steady_clock::time_point retry_at{};
  std::chrono::milliseconds backoff{0};
  std::function<void()> on_connected;
  std::weak_ptr<MqttBatch> current;
  std::string last_error;
  std::thread supervisor;

  std::mutex batch_mu;  // one batch at a time
  std::atomic<std::int64_t> published{0};
  std::atomic<std::int64_t> disconnects{0};
  std::atomic<std::int64_t> reconnects{0};

  Impl(MqttOptions o, LogFn l) : options(std::move(o)), log(l ? std::move(l) : null_logger()) {}

  // --- Paho callbacks (on Paho threads) -----------------------------------------------------
  static void on_connect_success(void* ctx, MQTTAsync_successData*) {
    auto* self = static_cast<Impl*>(ctx);
    std::function<void()> cb;
    bool again = false;
    {
      std::lock_guard lock(self->mu);
      self->connected = true;
      self->connecting = false;
      again = self->ever_connected;
      self->ever_connected = true;
      self->backoff = std::chrono::milliseconds(0);
      self->last_error.clear();
      cb = self->on_connected;
    }
    if (again) ++self->reconnects;
    self->log("info", "msg=\"mqtt " + std::string(again ? "reconnected" : "connected") +
                          "\" broker=" + self->url.display + " client_id=" + self->client_id);
    if (cb) cb();
  }

  static void on_connect_failure(void* ctx, MQTTAsync_failureData* d) {
    auto* self = static_cast<Impl*>(ctx);
    const std::string why =
        d && d->message ? std::string(d->message) : rc_text(d ? d->code : MQTTASYNC_FAILURE);
    bool first = false;
    {
      std::lock_guard lock(self->mu);
      self->connecting = false;
      first = self->last_error.empty();
      self->last_error = "mqtt connect: " + why;
      self->schedule_retry_locked();
    }
    if (first)
      self->log("warn", "msg=\"mqtt broker not reachable; retrying in the background\" broker=" +
                            self->url.display + " error=\"" + why + "\"");
    self->cv.notify_all();
  }

  static void on_connection_lost(void* ctx, char* cause) {
    auto* self = static_cast<Impl*>(ctx);
    {
      std::lock_guard lock(self->mu);
      self->connected = false;
      self->last_error = "mqtt: connection lost";
      self->backoff = std::chrono::milliseconds(0);
      self->retry_at = std::chrono::steady_clock::now();
      if (auto b = self->current.lock()) {
        std::lock_guard bl(b->mu);
        b->aborted = true;
        if (b->error.empty()) b->error = "mqtt: connection lost";
        b->cv.notify_all();
      }
    }
    ++self->disconnects;
    self->log("warn", "msg=\"mqtt disconnected; reconnecting\" broker=" + self->url.display +
                          (cause ? std::string(" cause=\"") + cause + "\"" : std::string()));
    self->cv.notify_all();
  }

  static int on_message(void*, char* topic, int, MQTTAsync_message* m) {
    MQTTAsync_freeMessage(&m);
    MQTTAsync_free(topic);
    return 1;
  }

  static void complete(void* ctx, bool ok, const std::string& error) {
    std::unique_ptr<MqttPending> p(static_cast<MqttPending*>(ctx));
    auto& b = *p->batch;
    std::lock_guard lock(b.mu);
    if (b.state[p->index] == 0) {
      b.state[p->index] = ok ? 1 : 2;
      ++b.completed;
    }
    if (!ok && b.error.empty()) b.error = error;
    b.cv.notify_all();
  }

  static void on_send_success(void* ctx, MQTTAsync_successData*) { complete(ctx, true, {}); }

  static void on_send_failure(void* ctx, MQTTAsync_failureData* d) {
    complete(ctx, false,
             "mqtt publish: " + (d && d->message ? std::string(d->message)
                                                 : rc_text(d ? d->code : MQTTASYNC_FAILURE)));
  }

  // --- connection supervision ---------------------------------------------------------------
  void schedule_retry_locked() {
    backoff = backoff.count() == 0 ? options.reconnect_wait
                                   : std::min(backoff * 2, options.max_reconnect_wait);
    retry_at = std::chrono::steady_clock::now() + backoff;
  }

  void supervise() {
    std::unique_lock lock(mu);
    while (!stopping) {
      if (!connected && !connecting && std::chrono::steady_clock::now() >= retry_at) {
        connecting = true;
        lock.unlock();
        const int rc = connect();
        lock.lock();
        if (rc != MQTTASYNC_SUCCESS) {
          connecting = false;
          last_error = "mqtt connect: " + rc_text(rc);
          schedule_retry_locked();
        }
        continue;
      }
      if (!connected && !connecting)
        cv.wait_until(lock, retry_at, [&] { return stopping; });
      else
        cv.wait(lock, [&] { return stopping || (!connected && !connecting); });
    }
  }

  int connect() {
    MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer;
    o.keepAliveInterval = static_cast<int>(std::max<std::int64_t>(1, options.keep_alive.count()));
    o.cleansession = 1;  // the outbox is the session state: unacknowledged rows are sent again
    o.connectTimeout = static_cast<int>(std::max<std::int64_t>(
        1, (options.connect_timeout.count() + 999) / 1000));  // Paho counts whole seconds
    o.retryInterval = 0;
    o.automaticReconnect = 0;  // supervise() reconnects, with our own backoff
    if (!url.username.empty()) o.username = url.username.c_str();
    if (!url.password.empty()) o.password = url.password.c_str();
    o.onSuccess = &Impl::on_connect_success;
    o.onFailure = &Impl::on_connect_failure;
    o.context = this;
    return MQTTAsync_connect(client, &o);
  }

  [[noreturn]] void fail(const std::string& error) {
    {
      std::lock_guard lock(mu);
      last_error = error;
    }
    throw Unavailable(error);
  }
};

MqttEventSink::MqttEventSink(MqttOptions options, LogFn log)
    : impl_(std::make_shared<Impl>(std::move(options), std::move(log))) {
  auto& d = *impl_;
  if (d.options.qos < 0 || d.options.qos > 2)
    throw std::invalid_argument("MQTT QoS must be 0, 1 or 2");
  if (d.options.max_pending < 1) throw std::invalid_argument("MQTT max_pending must be positive");
  d.url = parse_mqtt_url(d.options.url);
  d.client_id =
      d.options.client_id.empty() ? default_client_id(d.options.name) : d.options.client_id;
  MQTTAsync_createOptions co = MQTTAsync_createOptions_initializer;
  co.sendWhileDisconnected = 0;  // nothing queues in the client while the broker is away
  co.maxBufferedMessages = d.options.max_pending;
  co.MQTTVersion = MQTTVERSION_3_1_1;
  int rc = MQTTAsync_createWithOptions(&d.client, d.url.server_uri.c_str(), d.client_id.c_str(),
                                       MQTTCLIENT_PERSISTENCE_NONE, nullptr, &co);
  if (rc != MQTTASYNC_SUCCESS)
    throw std::invalid_argument("MQTT_URL '" + d.options.url + "': " + rc_text(rc));
  rc = MQTTAsync_setCallbacks(d.client, impl_.get(), &Impl::on_connection_lost, &Impl::on_message,
                              nullptr);
  if (rc != MQTTASYNC_SUCCESS) {
    MQTTAsync_destroy(&d.client);
    throw std::invalid_argument("mqtt callbacks: " + rc_text(rc));
  }
  d.supervisor = std::thread([impl = impl_.get()] { impl->supervise(); });
}

MqttEventSink::~MqttEventSink() {
  auto& d = *impl_;
  detail::stop_worker(d, d.supervisor);
  if (MQTTAsync_isConnected(d.client)) {
    MQTTAsync_disconnectOptions o = MQTTAsync_disconnectOptions_initializer;
    o.timeout = 1000;
    MQTTAsync_disconnect(d.client, &o);
    // Paho completes the disconnect on its own thread; give it a moment before destroying.
    for (int i = 0; i < 100 && MQTTAsync_isConnected(d.client); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  MQTTAsync_destroy(&d.client);
}

std::size_t MqttEventSink::publish_batch(std::span<const Event> events) {
  if (events.empty()) return 0;
  auto& d = *impl_;
  std::lock_guard serial(d.batch_mu);
  auto batch = std::make_shared<MqttBatch>();
  batch->state.assign(events.size(), 0);
  {
    std::lock_guard lock(d.mu);
    if (!d.connected) {
      if (d.last_error.empty()) d.last_error = "mqtt: not connected to " + d.url.display;
      throw Unavailable("mqtt: not connected (" + d.last_error + ")");
    }
    d.current = batch;
  }
  std::size_t sent = 0;
  std::string error;
  for (const auto& e : events) {
    const auto topic = mqtt_topic(e, d.options.topic_prefix);
    auto body = event_body(e);
    MQTTAsync_message m = MQTTAsync_message_initializer;
    m.payload = body.data();
    m.payloadlen = static_cast<int>(body.size());
    m.qos = d.options.qos;
    m.retained = 0;
    MQTTAsync_responseOptions ro = MQTTAsync_responseOptions_initializer;
    ro.onSuccess = &Impl::on_send_success;
    ro.onFailure = &Impl::on_send_failure;
    auto* pending = new MqttPending{batch, sent};
    ro.context = pending;
    const int rc = MQTTAsync_sendMessage(d.client, topic.c_str(), &m, &ro);
    if (rc != MQTTASYNC_SUCCESS) {
      delete pending;  // not queued: no callback will come
      error = "mqtt publish: " + rc_text(rc);
      break;
    }
    ++sent;
  }
  std::size_t prefix = 0;
  {
    std::unique_lock lock(batch->mu);
    if (d.options.qos > 0)
      batch->cv.wait_for(lock, d.options.ack_timeout,
                         [&] { return batch->completed >= sent || batch->aborted; });
    else  // QoS 0 has no acknowledgement: handed to the client counts
      for (std::size_t i = 0; i < sent; ++i)
        batch->state[i] = 1;
    while (prefix < sent && batch->state[prefix] == 1)
      ++prefix;
    if (error.empty()) error = batch->error;
    if (error.empty() && prefix < events.size())
      error = "mqtt: " + std::to_string(events.size() - prefix) + " of " +
              std::to_string(events.size()) + " messages not acknowledged within " +
              std::to_string(d.options.ack_timeout.count()) + " ms";
  }
  d.published += static_cast<std::int64_t>(prefix);
  if (prefix == 0) d.fail(error);
  std::lock_guard lock(d.mu);
  d.last_error = prefix == events.size() ? std::string() : error;
  return prefix;
}

void MqttEventSink::on_connected(std::function<void()> callback) {
  std::lock_guard lock(impl_->mu);
  impl_->on_connected = std::move(callback);
}

MqttStatus MqttEventSink::status() const {
  MqttStatus s;
  std::lock_guard lock(impl_->mu);
  s.connected = impl_->connected;
  s.url = impl_->url.display;
  s.client_id = impl_->client_id;
  s.published = impl_->published;
  s.disconnects = impl_->disconnects;
  s.reconnects = impl_->reconnects;
  s.last_error = impl_->last_error;
  return s;
}

}  // namespace task::events
