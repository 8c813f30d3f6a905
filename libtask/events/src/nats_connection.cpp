#include "nats_connection.hpp"

#include <stdexcept>
#include <vector>

#include "task/core/errors.hpp"

namespace task::events::detail {
namespace {

ConnState* as_state(void* closure) {
  return static_cast<ConnState*>(closure);
}

void fire_connected(ConnState* st) {
  st->connected = true;
  st->fresh = true;
  std::function<void()> cb;
  {
    std::lock_guard lock(st->mu);
    cb = st->on_connected;
  }
  if (cb) cb();
}

void on_connected_cb(natsConnection*, void* closure) {
  auto* st = as_state(closure);
  st->log("info", "msg=\"nats connected\" component=" + st->component);
  fire_connected(st);
}

void on_disconnected_cb(natsConnection*, void* closure) {
  auto* st = as_state(closure);
  st->connected = false;
  ++st->disconnects;
  st->log("warn", "msg=\"nats disconnected; reconnecting\" component=" + st->component);
}

void on_reconnected_cb(natsConnection*, void* closure) {
  auto* st = as_state(closure);
  ++st->reconnects;
  st->log("info", "msg=\"nats reconnected\" component=" + st->component);
  fire_connected(st);
}

void on_closed_cb(natsConnection*, void* closure) {
  auto* st = as_state(closure);
  st->connected = false;
  {
    std::lock_guard lock(st->mu);
    st->closed = true;
  }
  st->cv.notify_all();
}

void check(natsStatus s, const char* what) {
  if (s != NATS_OK) throw std::invalid_argument(std::string(what) + ": " + nats_error(s));
}

}  // namespace

std::string nats_error(natsStatus s) {
  std::string text = std::string("nats: ") + natsStatus_GetText(s);
  const char* last = nats_GetLastError(nullptr);
  if (last && *last) text += std::string(": ") + last;
  return text;
}

NatsConnection::NatsConnection(const NatsOptions& options, LogFn log, std::string component)
    : state_(std::make_shared<ConnState>()) {
  state_->log = log ? std::move(log) : null_logger();
  state_->component = std::move(component);
  natsOptions* opts = nullptr;
  check(natsOptions_Create(&opts), "nats options");
  std::unique_ptr<natsOptions, void (*)(natsOptions*)> guard(opts, natsOptions_Destroy);
  void* closure = state_.get();
  // natsOptions_SetURL takes ONE URL: a comma-separated NATS_URL (the nodes of a cluster) is a
  // server list, which the client tries in random order and reconnects through.
  std::vector<std::string> urls;
  for (std::size_t start = 0; start <= options.url.size();) {
    auto end = options.url.find(',', start);
    if (end == std::string::npos) end = options.url.size();
    auto url = options.url.substr(start, end - start);
    url.erase(0, url.find_first_not_of(" \t"));
    url.erase(url.find_last_not_of(" \t") + 1);
    if (!url.empty()) urls.push_back(std::move(url));
    start = end + 1;
  }
  if (urls.empty()) throw std::invalid_argument("NATS_URL '" + options.url + "': no server URL");
  if (urls.size() == 1) {
    check(natsOptions_SetURL(opts, urls.front().c_str()), "NATS_URL");
  } else {
    std::vector<const char*> servers;
    for (const auto& u : urls)
      servers.push_back(u.c_str());
    check(natsOptions_SetServers(opts, servers.data(), static_cast<int>(servers.size())),
          "NATS_URL");
  }
  check(natsOptions_SetName(opts, options.name.c_str()), "nats name");
  check(natsOptions_SetAllowReconnect(opts, true), "nats reconnect");
  check(natsOptions_SetMaxReconnect(opts, -1), "nats reconnect");
  check(natsOptions_SetReconnectWait(opts, options.reconnect_wait.count()), "nats reconnect wait");
  check(natsOptions_SetTimeout(opts, options.connect_timeout.count()), "nats timeout");
  check(natsOptions_SetPingInterval(opts, 2000), "nats ping");
  check(natsOptions_SetMaxPingsOut(opts, 2), "nats ping");
  check(natsOptions_SetRetryOnFailedConnect(opts, true, on_connected_cb, closure), "nats retry");
  check(natsOptions_SetDisconnectedCB(opts, on_disconnected_cb, closure), "nats callbacks");
  check(natsOptions_SetReconnectedCB(opts, on_reconnected_cb, closure), "nats callbacks");
  check(natsOptions_SetClosedCB(opts, on_closed_cb, closure), "nats callbacks");
  const natsStatus s = natsConnection_Connect(&nc_, opts);
  if (s == NATS_OK) {
    state_->connected = true;
    state_->log("info", "msg=\"nats connected\" component=" + state_->component);
  } else if (s == NATS_NOT_YET_CONNECTED) {
    state_->log("warn", "msg=\"nats not reachable yet; retrying in the background\" component=" +
                            state_->component);
  } else {
    throw std::invalid_argument("NATS_URL '" + options.url + "': " + nats_error(s));
  }
}

NatsConnection::~NatsConnection() {
  if (!nc_) return;
  natsConnection_Close(nc_);
  std::unique_lock lock(state_->mu);
  const bool closed =
      state_->cv.wait_for(lock, std::chrono::seconds(5), [&] { return state_->closed; });
  lock.unlock();
  natsConnection_Destroy(nc_);
  // If nats.c has not released the callbacks yet, keep their state alive for good.
  if (!closed) new std::shared_ptr<ConnState>(state_);
}

bool NatsConnection::connected() const {
  return nc_ && natsConnection_Status(nc_) == NATS_CONN_STATUS_CONNECTED;
}

std::string NatsConnection::connected_url() const {
  char buf[256] = {};
  if (!nc_ || natsConnection_GetConnectedUrl(nc_, buf, sizeof buf) != NATS_OK) return {};
  return buf;
}

void NatsConnection::set_on_connected(std::function<void()> cb) {
  std::lock_guard lock(state_->mu);
  state_->on_connected = std::move(cb);
}

}  // namespace task::events::detail
