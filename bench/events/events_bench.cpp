// Relay throughput (events/s) against a plain nats.c publish loop of the same messages, in the
// same run, on a private nats-server on 127.0.0.1 (JetStream and core).
//
//   events_bench [--events N] [--runs R] [--mode jetstream|core] [--outbox vector|sqlite]
//
// baseline: pre-serialized CloudEvents bodies; JetStream: js_PublishAsync with Nats-Msg-Id +
//           js_PublishAsyncComplete per batch of the same size; core: publish + one flush per
//           batch.
// relay:    OutboxRelay::drain() over an outbox holding the same number of events (fresh ids),
//           through NatsEventSink (serializes each event, publishes, waits for acks, marks).
#include <fcntl.h>
#include <nats/nats.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "task/events/nats_sink.hpp"
#include "task/events/outbox_relay.hpp"
#include "task/ports/id_generator.hpp"
#include "task/store/store.hpp"

using namespace task;
using namespace task::events;
using Steady = std::chrono::steady_clock;

namespace {

/// An outbox-only repository with O(batch) fetch and mark (isolates the relay's own cost).
class VectorOutbox final : public TaskRepository {
 public:
  void add(Event e) {
    std::lock_guard lock(mu_);
    rows_.push_back(OutboxEntry{next_++, std::move(e)});
  }
  std::vector<OutboxEntry> fetch_outbox(int limit) override {
    std::lock_guard lock(mu_);
    std::vector<OutboxEntry> out;
    for (std::size_t i = 0; i < rows_.size() && static_cast<int>(out.size()) < limit; ++i)
      out.push_back(rows_[i]);
    return out;
  }
  void mark_published(const std::vector<std::int64_t>& seqs, Timestamp) override {
    std::lock_guard lock(mu_);
    for (auto s : seqs)
      if (!rows_.empty() && rows_.front().seq == s) rows_.pop_front();
  }
  std::int64_t prune_outbox(Timestamp) override { return 0; }
  std::pair<std::int64_t, std::optional<Timestamp>> outbox_backlog() override {
    std::lock_guard lock(mu_);
    return {static_cast<std::int64_t>(rows_.size()), std::nullopt};
  }
#define TASK_UNUSED \
  { throw std::logic_error("unused"); }
  Task insert_task(const Task&, const std::vector<Event>&) override TASK_UNUSED;
  Task insert_task_within(const Task&, const std::vector<Event>&,
                          std::int64_t) override TASK_UNUSED;
  void restore(const Task&, const std::vector<Execution>&) override TASK_UNUSED;
  std::optional<Task> find_task(std::string_view) override TASK_UNUSED;
  TaskPage list_tasks(const TaskQuery&) override TASK_UNUSED;
  std::int64_t count_tasks(std::string_view) override TASK_UNUSED;
  std::optional<Change> modify_task(
      std::string_view,
      const std::function<std::optional<Change>(const Task&)>&) override TASK_UNUSED;
  std::vector<std::optional<Change>> modify_tasks(
      const std::vector<std::string>&,
      const std::function<std::optional<Change>(const Task&)>&) override TASK_UNUSED;
  std::vector<Task> claim_lost_runs(Timestamp, int, std::string_view,
                                    std::chrono::microseconds) override TASK_UNUSED;
  std::vector<std::pair<Task, std::optional<Change>>> modify_due_tasks(
      Timestamp, int,
      const std::function<std::optional<Change>(const Task&)>&) override TASK_UNUSED;
  std::optional<Execution> find_execution(std::string_view) override TASK_UNUSED;
  ExecutionPage list_executions(std::string_view, int, int) override TASK_UNUSED;
  std::int64_t count_executions_since(std::string_view, Timestamp) override TASK_UNUSED;
  std::vector<Template> list_templates(const TemplateQuery&) override TASK_UNUSED;
  std::optional<Template> find_template(std::string_view) override TASK_UNUSED;
  Template upsert_template(const Template&) override TASK_UNUSED;
  TaskCounts count_tasks_by(std::optional<std::string_view>) override TASK_UNUSED;
  ExecutionTotals execution_totals(std::optional<std::string_view>, Timestamp) override TASK_UNUSED;
  std::vector<Task> list_due_tasks(Timestamp, int) override TASK_UNUSED;
  std::vector<Task> claim_due_tasks(Timestamp, int, std::string_view,
                                    std::chrono::microseconds) override TASK_UNUSED;
  std::optional<Timestamp> earliest_due_time() override TASK_UNUSED;
  std::vector<Task> list_due_reminders(Timestamp, int) override TASK_UNUSED;
  std::optional<SubscriptionLevel> find_user_level(std::string_view) override TASK_UNUSED;
  void set_user_level(std::string_view, SubscriptionLevel, Timestamp) override TASK_UNUSED;
  std::vector<std::string> list_open_task_ids(std::string_view) override TASK_UNUSED;
  void ping() override {}
  std::vector<RunInFlight> list_runs_in_flight(int) override TASK_UNUSED;
  std::vector<QuarterTotals> execution_quarters(std::string_view, Timestamp) override TASK_UNUSED;
#undef TASK_UNUSED

 private:
  std::mutex mu_;
  std::deque<OutboxEntry> rows_;
  std::int64_t next_ = 1;
};

/// A realistic task.updated event.
Event make_event(IdGenerator& ids, int i) {
  Event e;
  e.id = ids.event_id();
  e.type = "task.updated";
  e.time = std::chrono::time_point_cast<Micros>(std::chrono::system_clock::now());
  e.task_id =
      "tsk_" + std::string(24 - std::to_string(i % 1000).size(), '0') + std::to_string(i % 1000);
  e.user_id = "bench-user-" + std::to_string(i % 50);
  e.data["task_id"] = e.task_id;
  e.data["user_id"] = e.user_id;
  e.data["updated_fields"] = boost::json::array{"description", "priority"};
  e.data["updated_at"] = format_rfc3339(e.time);
  return e;
}

struct Server {
  int pid = -1;
  int port = 0;
  std::string dir;
  ~Server() {
    if (pid > 0) {
      kill(pid, SIGTERM);
      waitpid(pid, nullptr, 0);
    }
    if (!dir.empty()) std::filesystem::remove_all(dir);
  }
};

void start_server(Server& s, bool jetstream) {
  s.port = 45000 + static_cast<int>(getpid() % 5000);
  char tmpl[] = "/tmp/events-bench-XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp");
  s.dir = tmpl;
  std::vector<std::string> args{TASK_NATS_SERVER_BIN, "-a", "127.0.0.1", "-p",
                                std::to_string(s.port)};
  if (jetstream) args.insert(args.end(), {"-js", "-sd", s.dir});
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  s.pid = fork();
  if (s.pid == 0) {
    const int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    dup2(devnull, 2);
    execv(argv[0], argv.data());
    _exit(127);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
}

/// The plain nats.c loop: the same bodies, subjects and batch size as the relay.
double baseline(const std::string& url, bool jetstream, const std::vector<Event>& events,
                int batch) {
  std::vector<std::string> bodies, subjects;
  for (const auto& e : events) {
    bodies.push_back(event_body(e));
    subjects.push_back(event_subject(e));
  }
  natsConnection* nc = nullptr;
  if (natsConnection_ConnectTo(&nc, url.c_str()) != NATS_OK) throw std::runtime_error("connect");
  jsCtx* js = nullptr;
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.PublishAsync.MaxPending = 4096;
  natsConnection_JetStream(&js, nc, &jo);
  const auto t0 = Steady::now();
  for (std::size_t start = 0; start < events.size(); start += static_cast<std::size_t>(batch)) {
    const auto end = std::min(events.size(), start + static_cast<std::size_t>(batch));
    for (std::size_t i = start; i < end; ++i) {
      if (jetstream) {
        jsPubOptions po;
        jsPubOptions_Init(&po);
        po.MsgId = events[i].id.c_str();
        js_PublishAsync(js, subjects[i].c_str(), bodies[i].data(),
                        static_cast<int>(bodies[i].size()), &po);
      } else {
        natsConnection_Publish(nc, subjects[i].c_str(), bodies[i].data(),
                               static_cast<int>(bodies[i].size()));
      }
    }
    if (jetstream) {
      jsPubOptions co;
      jsPubOptions_Init(&co);
      co.MaxWait = 10000;
      if (js_PublishAsyncComplete(js, &co) != NATS_OK) throw std::runtime_error("acks");
    } else if (natsConnection_FlushTimeout(nc, 10000) != NATS_OK) {
      throw std::runtime_error("flush");
    }
  }
  const double secs = std::chrono::duration<double>(Steady::now() - t0).count();
  jsCtx_Destroy(js);
  natsConnection_Destroy(nc);
  return static_cast<double>(events.size()) / secs;
}

double relay_run(std::shared_ptr<TaskRepository> repo, const std::string& url, bool jetstream,
                 int batch, std::size_t expected) {
  NatsOptions no;
  no.url = url;
  no.use_jetstream = jetstream;
  auto sink = std::make_shared<NatsEventSink>(no, null_logger());
  for (int i = 0; i < 200 && !sink->status().connected; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  RelayOptions ro;
  ro.batch_size = batch;
  OutboxRelay relay(repo, sink, std::make_shared<SystemClock>(), ro, null_logger());
  // Detection and stream creation happen on the first batch; do them outside the timing.
  relay.relay_once();
  const auto t0 = Steady::now();
  const std::size_t n = relay.drain();
  const double secs = std::chrono::duration<double>(Steady::now() - t0).count();
  if (n + static_cast<std::size_t>(batch) < expected || relay.status().backlog != 0)
    throw std::runtime_error("relay did not drain");
  return static_cast<double>(n) / secs;
}

}  // namespace

int main(int argc, char** argv) {
  int count = 50000, runs = 3, batch = 512;
  std::string mode = "jetstream", outbox = "vector";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--events")
      count = std::stoi(v);
    else if (k == "--runs")
      runs = std::stoi(v);
    else if (k == "--batch")
      batch = std::stoi(v);
    else if (k == "--mode")
      mode = v;
    else if (k == "--outbox")
      outbox = v;
  }
  const bool js = mode == "jetstream";
  Server server;
  start_server(server, js);
  const std::string url = "nats://127.0.0.1:" + std::to_string(server.port);
  RandomIdGenerator ids;
  std::printf("mode=%s outbox=%s events=%d batch=%d\n", mode.c_str(), outbox.c_str(), count, batch);
  for (int r = 0; r < runs; ++r) {
    std::vector<Event> base, relayed;
    for (int i = 0; i < count; ++i) {
      base.push_back(make_event(ids, i));
      relayed.push_back(make_event(ids, i));
    }
    // Alternate which side runs first: the stream (and its dedupe window) grows during a run.
    double b = 0;
    if (r % 2 == 0) b = baseline(url, js, base, batch);
    std::shared_ptr<TaskRepository> repo;
    if (outbox == "sqlite") {
      const std::string path = server.dir + "/bench" + std::to_string(r) + ".db";
      repo = task::store::open_repository("sqlite://" + path);
      Task t;
      t.task_id = "tsk_bench" + std::to_string(r);
      t.user_id = "bench";
      t.name = "bench";
      t.created_at = t.updated_at = relayed.front().time;
      for (std::size_t i = 0; i < relayed.size(); i += 1000) {
        std::vector<Event> chunk(
            relayed.begin() + static_cast<std::ptrdiff_t>(i),
            relayed.begin() + static_cast<std::ptrdiff_t>(std::min(relayed.size(), i + 1000)));
        t.task_id = "tsk_b" + std::to_string(r) + "_" + std::to_string(i);
        repo->insert_task(t, chunk);
      }
    } else {
      auto v = std::make_shared<VectorOutbox>();
      for (auto& e : relayed)
        v->add(e);
      repo = v;
    }
    const double rl = relay_run(repo, url, js, batch, relayed.size());
    if (r % 2 == 1) b = baseline(url, js, base, batch);
    std::printf("run %d: baseline %.0f events/s, relay %.0f events/s, ratio %.2f\n", r + 1, b, rl,
                rl / b);
  }
  return 0;
}
