#include "mqtt_support.hpp"

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

#include "support/net.hpp"
#include "task/ports/id_generator.hpp"

namespace task::events::test {

using testing::port_open;

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

// The subscriber is Debian's mosquitto_sub (libmosquitto, an MQTT client independent of the Paho
// code under test): it reconnects and subscribes again by itself after a broker restart. With
// -d it reports each SUBACK and the QoS of each PUBLISH (lines "Client ..."); -F prints
// "<topic> <payload>".
struct MqttCollector::Impl {
  int pid = -1;
  int out_fd = -1;
  std::thread reader;
  mutable std::mutex mu;
  std::condition_variable cv;
  std::vector<MqttReceived> got;
  int subscriptions = 0;

  void read_lines() {
    std::string buf;
    char chunk[4096];
    int pending_qos = 0;
    for (;;) {
      const auto n = ::read(out_fd, chunk, sizeof chunk);
      if (n <= 0) return;
      buf.append(chunk, static_cast<std::size_t>(n));
      std::size_t nl;
      while ((nl = buf.find('\n')) != std::string::npos) {
        const std::string line = buf.substr(0, nl);
        buf.erase(0, nl + 1);
        std::lock_guard lock(mu);
        if (!line.starts_with("Client ") && !line.starts_with("Subscribed") && !line.empty()) {
          const auto space = line.find(' ');
          MqttReceived r;
          r.topic = line.substr(0, space);
          r.body = space == std::string::npos ? "" : line.substr(space + 1);
          r.qos = pending_qos;
          got.push_back(std::move(r));
          cv.notify_all();
        } else if (line.find("received SUBACK") != std::string::npos) {
          ++subscriptions;
        } else if (const auto q = line.find("received PUBLISH (d"); q != std::string::npos) {
          const auto qpos = line.find(", q", q);
          pending_qos = qpos == std::string::npos ? 0 : line[qpos + 3] - '0';
        }
      }
    }
  }
};

MqttCollector::MqttCollector(const std::string& url, const std::string& filter) : impl_(new Impl) {
  const auto hostport = url.substr(url.find("://") + 3);
  std::string host = hostport.substr(0, hostport.rfind(':'));
  std::string port = hostport.substr(hostport.rfind(':') + 1);
  std::string id = "collector-" + RandomIdGenerator().event_id().substr(0, 12);
  std::string bin = TASK_MOSQUITTO_SUB_BIN;
  std::string topic = filter;
  // stdbuf: line-buffered output through the pipe (mosquitto_sub's stdio buffers otherwise).
  std::vector<std::string> args{"/usr/bin/stdbuf",
                                "-oL",
                                bin,
                                "-h",
                                host,
                                "-p",
                                port,
                                "-t",
                                topic,
                                "-q",
                                "1",
                                "-c",
                                "-i",
                                id,
                                "-d",
                                "-F",
                                "%t %p"};
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  int fds[2];
  if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::dup2(fds[1], 1);
    const int devnull = ::open("/dev/null", O_WRONLY);
    ::dup2(devnull, 2);
    ::close(fds[0]);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  impl_->pid = pid;
  impl_->out_fd = fds[0];
  impl_->reader = std::thread([impl = impl_] { impl->read_lines(); });
  if (!wait_until([&] { return subscribed(); }, std::chrono::seconds(10))) {
    this->~MqttCollector();
    throw std::runtime_error("mosquitto_sub did not subscribe to " + filter);
  }
}

MqttCollector::~MqttCollector() {
  if (!impl_) return;
  ::kill(impl_->pid, SIGTERM);
  int status = 0;
  ::waitpid(impl_->pid, &status, 0);
  impl_->reader.join();  // EOF once mosquitto_sub is gone
  ::close(impl_->out_fd);
  delete impl_;
  impl_ = nullptr;
}

bool MqttCollector::wait_for(std::size_t n, std::chrono::milliseconds timeout) {
  std::unique_lock lock(impl_->mu);
  return impl_->cv.wait_for(lock, timeout, [&] { return impl_->got.size() >= n; });
}

std::vector<MqttReceived> MqttCollector::messages() const {
  std::lock_guard lock(impl_->mu);
  return impl_->got;
}

int MqttCollector::subscriptions() const {
  std::lock_guard lock(impl_->mu);
  return impl_->subscriptions;
}

bool MqttCollector::subscribed() const {
  std::lock_guard lock(impl_->mu);
  return impl_->subscriptions > 0;
}

}  // namespace task::events::test
