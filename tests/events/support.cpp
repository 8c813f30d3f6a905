#include "support.hpp"

#include <cstdlib>
#include <stdexcept>

#include "task/ports/id_generator.hpp"

namespace task::events::test {

std::string fixture_nats_url() {
  const char* url = std::getenv("TASK_NATS_URL");
  return url ? url : "";
}

NatsServer::NatsServer(std::string store_dir, int port)
    : store_dir_(std::move(store_dir)), port_(port ? port : free_port()) {
  start();
}

NatsServer::~NatsServer() {
  stop();
}

void NatsServer::start() {
  if (process_) return;
  std::vector<std::string> args{TASK_NATS_SERVER_BIN, "-a", "127.0.0.1", "-p",
                                std::to_string(port_)};
  if (!store_dir_.empty()) args.insert(args.end(), {"-js", "-sd", store_dir_});
  process_ = std::make_unique<task::testing::ChildProcess>(std::move(args));
  if (!wait_until([&] { return task::testing::port_open(port_); }, std::chrono::seconds(10))) {
    stop();
    throw std::runtime_error("nats-server did not start on port " + std::to_string(port_));
  }
}

void NatsServer::stop() {
  process_.reset();  // SIGTERM, waited for
}

std::string NatsServer::url() const {
  return "nats://127.0.0.1:" + std::to_string(port_);
}

namespace {
natsConnection* connect(const std::string& url) {
  natsOptions* opts = nullptr;
  natsOptions_Create(&opts);
  natsOptions_SetURL(opts, url.c_str());
  natsOptions_SetMaxReconnect(opts, -1);
  natsOptions_SetReconnectWait(opts, 100);
  natsConnection* nc = nullptr;
  const natsStatus s = natsConnection_Connect(&nc, opts);
  natsOptions_Destroy(opts);
  if (s != NATS_OK) throw std::runtime_error(std::string("connect: ") + natsStatus_GetText(s));
  return nc;
}

Received to_received(natsMsg* msg) {
  Received r;
  r.subject = natsMsg_GetSubject(msg);
  r.body.assign(natsMsg_GetData(msg), static_cast<std::size_t>(natsMsg_GetDataLength(msg)));
  const char* id = nullptr;
  if (natsMsgHeader_Get(msg, "Nats-Msg-Id", &id) == NATS_OK && id) r.msg_id = id;
  return r;
}
}  // namespace

Collector::Collector(const std::string& url, const std::string& subject) : nc_(connect(url)) {
  if (natsConnection_Subscribe(&sub_, nc_, subject.c_str(), &Collector::on_msg, this) != NATS_OK)
    throw std::runtime_error("subscribe failed");
  natsSubscription_SetPendingLimits(sub_, -1, -1);
  natsConnection_Flush(nc_);
}

Collector::~Collector() {
  natsSubscription_Unsubscribe(sub_);
  natsSubscription_Destroy(sub_);
  natsConnection_Destroy(nc_);
}

void Collector::on_msg(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
  auto* self = static_cast<Collector*>(closure);
  {
    std::lock_guard lock(self->mu_);
    self->got_.push_back(to_received(msg));
  }
  self->cv_.notify_all();
  natsMsg_Destroy(msg);
}

bool Collector::wait_for(std::size_t n, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return got_.size() >= n; });
}

std::vector<Received> Collector::messages() const {
  std::lock_guard lock(mu_);
  return got_;
}

void nats_publish(const std::string& url, const std::string& subject, const std::string& body) {
  natsConnection* nc = connect(url);
  natsConnection_Publish(nc, subject.c_str(), body.data(), static_cast<int>(body.size()));
  natsConnection_Flush(nc);
  natsConnection_Destroy(nc);
}

std::vector<Received> read_stream(const std::string& url, const std::string& stream) {
  natsConnection* nc = connect(url);
  jsCtx* js = nullptr;
  natsConnection_JetStream(&js, nc, nullptr);
  std::vector<Received> out;
  jsStreamInfo* si = nullptr;
  if (js_GetStreamInfo(&si, js, stream.c_str(), nullptr, nullptr) == NATS_OK) {
    for (std::uint64_t seq = si->State.FirstSeq; seq && seq <= si->State.LastSeq; ++seq) {
      natsMsg* msg = nullptr;
      if (js_GetMsg(&msg, js, stream.c_str(), seq, nullptr, nullptr) != NATS_OK) continue;
      out.push_back(to_received(msg));
      natsMsg_Destroy(msg);
    }
    jsStreamInfo_Destroy(si);
  }
  jsCtx_Destroy(js);
  natsConnection_Destroy(nc);
  return out;
}

void delete_stream(const std::string& url, const std::string& stream) {
  natsConnection* nc = connect(url);
  jsCtx* js = nullptr;
  natsConnection_JetStream(&js, nc, nullptr);
  js_DeleteStream(js, stream.c_str(), nullptr, nullptr);
  jsCtx_Destroy(js);
  natsConnection_Destroy(nc);
}

void add_stream(const std::string& url, const std::string& stream,
                const std::vector<std::string>& subjects) {
  natsConnection* nc = connect(url);
  jsCtx* js = nullptr;
  natsConnection_JetStream(&js, nc, nullptr);
  std::vector<const char*> subj;
  for (const auto& s : subjects)
    subj.push_back(s.c_str());
  jsStreamConfig cfg;
  jsStreamConfig_Init(&cfg);
  cfg.Name = stream.c_str();
  cfg.Subjects = subj.data();
  cfg.SubjectsLen = static_cast<int>(subj.size());
  cfg.Storage = js_FileStorage;
  jsStreamInfo* si = nullptr;
  const natsStatus s = js_AddStream(&si, js, &cfg, nullptr, nullptr);
  if (si) jsStreamInfo_Destroy(si);
  jsCtx_Destroy(js);
  natsConnection_Destroy(nc);
  if (s != NATS_OK) throw std::runtime_error("add stream " + stream + " failed");
}

// --- FakeOutbox --------------------------------------------------------------------------------

void FakeOutbox::append(Event e, Timestamp time) {
  std::lock_guard lock(mu_);
  rows_.push_back(Row{next_seq_++, std::move(e), time, std::nullopt});
}

std::vector<std::int64_t> FakeOutbox::published_seqs() const {
  std::lock_guard lock(mu_);
  std::vector<std::int64_t> out;
  for (const auto& r : rows_)
    if (r.published_at) out.push_back(r.seq);
  return out;
}

std::size_t FakeOutbox::size() const {
  std::lock_guard lock(mu_);
  return rows_.size();
}

std::vector<OutboxEntry> FakeOutbox::fetch_outbox(int limit) {
  std::lock_guard lock(mu_);
  check();
  std::vector<OutboxEntry> out;
  for (const auto& r : rows_)
    if (!r.published_at && static_cast<int>(out.size()) < limit)
      out.push_back(OutboxEntry{r.seq, r.event});
  return out;
}

void FakeOutbox::mark_published(const std::vector<std::int64_t>& seqs, Timestamp now) {
  std::lock_guard lock(mu_);
  check();
  for (auto& r : rows_)
    for (auto s : seqs)
      if (r.seq == s && !r.published_at) r.published_at = now;
}

std::int64_t FakeOutbox::prune_outbox(Timestamp before) {
  std::lock_guard lock(mu_);
  check();
  const auto n = std::erase_if(
      rows_, [&](const Row& r) { return r.published_at && *r.published_at < before; });
  return static_cast<std::int64_t>(n);
}

std::pair<std::int64_t, std::optional<Timestamp>> FakeOutbox::outbox_backlog() {
  std::lock_guard lock(mu_);
  check();
  std::pair<std::int64_t, std::optional<Timestamp>> out{0, std::nullopt};
  for (const auto& r : rows_)
    if (!r.published_at) {
      ++out.first;
      if (!out.second || r.time < *out.second) out.second = r.time;
    }
  return out;
}

// --- RecordingSink -----------------------------------------------------------------------------

std::size_t RecordingSink::publish_batch(std::span<const Event> events) {
  ++calls;
  if (down) throw Unavailable("recording sink down");
  std::size_t n = events.size();
  if (ack_limit >= 0) n = std::min(n, static_cast<std::size_t>(ack_limit.load()));
  std::lock_guard lock(mu_);
  got_.insert(got_.end(), events.begin(), events.begin() + static_cast<std::ptrdiff_t>(n));
  return n;
}

std::vector<Event> RecordingSink::events() const {
  std::lock_guard lock(mu_);
  return got_;
}

Event sample_event(const std::string& type, const std::string& task_id, Timestamp time) {
  static RandomIdGenerator ids;
  Event e;
  e.id = ids.event_id();
  e.type = type;
  e.time = time;
  e.task_id = task_id;
  e.user_id = "u1";
  e.data["task_id"] = task_id;
  e.data["user_id"] = "u1";
  return e;
}

RelayOptions fast_relay() {
  RelayOptions o;
  o.initial_backoff = std::chrono::milliseconds(20);
  o.max_backoff = std::chrono::milliseconds(300);
  o.poll_interval = std::chrono::milliseconds(100);
  return o;
}

NatsOptions fast_nats(const std::string& url) {
  NatsOptions o;
  o.url = url;
  o.reconnect_wait = std::chrono::milliseconds(100);
  o.ack_timeout = std::chrono::milliseconds(2000);
  return o;
}

}  // namespace task::events::test
