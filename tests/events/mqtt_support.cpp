#include "mqtt_support.hpp"

#include <MQTTAsync.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "task/ports/id_generator.hpp"

namespace task::events::test {

namespace {
bool port_open(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}
}  // namespace

int mqtt_test_port(int offset) {
#ifdef TASK_MQTT_PORT
  if (TASK_MQTT_PORT > 0 && !port_open(TASK_MQTT_PORT + offset)) return TASK_MQTT_PORT + offset;
#endif
  (void)offset;
  return free_port();
}

MosquittoBroker::MosquittoBroker(int port) : port_(port ? port : free_port()) {
  std::ofstream conf(dir_.path + "/mosquitto.conf");
  conf << "listener " << port_ << " 127.0.0.1\n"
       << "allow_anonymous true\n"
       << "persistence true\n"
       << "persistence_location " << dir_.path << "/\n"
       << "autosave_interval 1\n"
       << "max_queued_messages 0\n"
       << "log_dest file " << dir_.path << "/mosquitto.log\n";
  conf.close();
  start();
}

MosquittoBroker::~MosquittoBroker() {
  stop();
}

void MosquittoBroker::start() {
  if (pid_ > 0) return;
  std::string bin = TASK_MOSQUITTO_BIN;
  std::string flag = "-c";
  std::string conf = dir_.path + "/mosquitto.conf";
  char* argv[] = {bin.data(), flag.data(), conf.data(), nullptr};
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    const int devnull = ::open("/dev/null", O_WRONLY);
    ::dup2(devnull, 1);
    ::dup2(devnull, 2);
    ::execv(argv[0], argv);
    ::_exit(127);
  }
  pid_ = pid;
  if (!wait_until([&] { return port_open(port_); }, std::chrono::seconds(10))) {
    stop();
    throw std::runtime_error("mosquitto did not start on port " + std::to_string(port_));
  }
}

void MosquittoBroker::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);  // mosquitto writes its persistence file on SIGTERM
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::string MosquittoBroker::url() const {
  return "mqtt://127.0.0.1:" + std::to_string(port_);
}

struct MqttCollector::Impl {
  MQTTAsync client = nullptr;
  std::string filter;
  mutable std::mutex mu;
  std::condition_variable cv;
  std::vector<MqttReceived> got;
  bool subscribed = false;

  static int on_message(void* ctx, char* topic, int topic_len, MQTTAsync_message* m) {
    auto* self = static_cast<Impl*>(ctx);
    MqttReceived r;
    r.topic = topic_len > 0 ? std::string(topic, static_cast<std::size_t>(topic_len)) : topic;
    r.body.assign(static_cast<const char*>(m->payload), static_cast<std::size_t>(m->payloadlen));
    r.qos = m->qos;
    {
      std::lock_guard lock(self->mu);
      self->got.push_back(std::move(r));
    }
    self->cv.notify_all();
    MQTTAsync_freeMessage(&m);
    MQTTAsync_free(topic);
    return 1;
  }
  static void on_subscribed(void* ctx, MQTTAsync_successData*) {
    auto* self = static_cast<Impl*>(ctx);
    std::lock_guard lock(self->mu);
    self->subscribed = true;
  }
  static void on_connected(void* ctx, char*) {
    // (Re)connected: subscribe again (the persistent session keeps it anyway).
    auto* self = static_cast<Impl*>(ctx);
    MQTTAsync_responseOptions ro = MQTTAsync_responseOptions_initializer;
    ro.onSuccess = &Impl::on_subscribed;
    ro.context = self;
    MQTTAsync_subscribe(self->client, self->filter.c_str(), 1, &ro);
  }
};

MqttCollector::MqttCollector(const std::string& url, const std::string& filter) : impl_(new Impl) {
  impl_->filter = filter;
  const auto uri = "tcp://" + url.substr(url.find("://") + 3);
  const auto id = "collector-" + RandomIdGenerator().event_id().substr(0, 12);
  if (MQTTAsync_create(&impl_->client, uri.c_str(), id.c_str(), MQTTCLIENT_PERSISTENCE_NONE,
                       nullptr) != MQTTASYNC_SUCCESS)
    throw std::runtime_error("MQTTAsync_create failed");
  MQTTAsync_setCallbacks(impl_->client, impl_, nullptr, &Impl::on_message, nullptr);
  MQTTAsync_setConnected(impl_->client, impl_, &Impl::on_connected);
  MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer;
  o.cleansession = 0;
  o.keepAliveInterval = 5;
  o.automaticReconnect = 1;
  o.minRetryInterval = 1;
  o.maxRetryInterval = 1;
  if (MQTTAsync_connect(impl_->client, &o) != MQTTASYNC_SUCCESS)
    throw std::runtime_error("MQTTAsync_connect failed");
  if (!wait_until([&] { return subscribed(); }, std::chrono::seconds(10)))
    throw std::runtime_error("MQTT subscriber did not subscribe to " + filter);
}

MqttCollector::~MqttCollector() {
  MQTTAsync_disconnectOptions o = MQTTAsync_disconnectOptions_initializer;
  o.timeout = 1000;
  MQTTAsync_disconnect(impl_->client, &o);
  for (int i = 0; i < 100 && MQTTAsync_isConnected(impl_->client); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  MQTTAsync_destroy(&impl_->client);
  delete impl_;
}

bool MqttCollector::wait_for(std::size_t n, std::chrono::milliseconds timeout) {
  std::unique_lock lock(impl_->mu);
  return impl_->cv.wait_for(lock, timeout, [&] { return impl_->got.size() >= n; });
}

std::vector<MqttReceived> MqttCollector::messages() const {
  std::lock_guard lock(impl_->mu);
  return impl_->got;
}

bool MqttCollector::subscribed() const {
  std::lock_guard lock(impl_->mu);
  return impl_->subscribed;
}

}  // namespace task::events::test
