// The NATS publisher and subscriber against real nats-server processes on 127.0.0.1: §14 events
// per operation (subject, CloudEvents envelope, data), JetStream dedupe ids, core NATS, an
// outage of the server, a crash between commit and publish, and the account subscriptions.
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <map>
#include <set>

#include "service_rig.hpp"
#include "support.hpp"
#include "task/events/event_system.hpp"
#include "task/events/nats_sink.hpp"
#include "task/events/outbox_relay.hpp"

using namespace task::events::test;

namespace {

/// The fixture's JetStream server, or a private one for manual runs.
std::string js_url() {
  static std::unique_ptr<TempDir> dir;
  static std::unique_ptr<NatsServer> own;
  auto url = fixture_nats_url();
  if (!url.empty()) return url;
  if (!own) {
    dir = std::make_unique<TempDir>();
    own = std::make_unique<NatsServer>(dir->path);
  }
  return own->url();
}

std::string unique_user() {
  return "evt-" + RandomIdGenerator().task_id().substr(4);
}

const std::map<std::string, std::set<std::string>> kDataKeys{
    {"task.created",
     {"task_id", "user_id", "task_type", "name", "priority", "status", "schedule", "created_at"}},
    {"task.updated", {"task_id", "user_id", "updated_fields", "updated_at"}},
    {"task.deleted", {"task_id", "user_id", "deleted_at"}},
    {"task.executed",
     {"task_id", "execution_id", "user_id", "status", "trigger_type", "credits_consumed",
      "duration_ms", "executed_at"}},
    {"task.status_changed",
     {"task_id", "user_id", "old_status", "new_status", "reason", "changed_at"}},
    {"task.completed", {"task_id", "user_id", "due_date", "completed_at", "next_due_date"}},
};

/// Checks subject, envelope and data keys of one message; returns the envelope.
json::object check_message(const Received& m, bool jetstream) {
  INFO(m.subject << " " << m.body);
  auto v = json::parse(m.body);
  REQUIRE(v.is_object());
  auto env = v.as_object();
  CHECK(env.at("specversion").as_string() == "1.0");
  CHECK(env.at("source").as_string() == "task_service");
  CHECK(env.at("datacontenttype").as_string() == "application/json");
  const std::string type(env.at("type").as_string());
  const std::string id(env.at("id").as_string());
  CHECK_FALSE(id.empty());
  CHECK(m.subject == "task_service." + type);
  CHECK(parse_rfc3339(env.at("time").as_string()).has_value());
  if (jetstream)
    CHECK(m.msg_id == id);
  else
    CHECK(m.msg_id.empty());
  REQUIRE(kDataKeys.count(type) == 1);
  std::set<std::string> keys;
  for (const auto& kv : env.at("data").as_object())
    keys.emplace(kv.key());
  CHECK(keys == kDataKeys.at(type));
  return env;
}

/// Messages of one user, in arrival order.
std::vector<Received> of_user(const Collector& c, const std::string& user) {
  std::vector<Received> out;
  for (auto& m : c.messages())
    if (m.body.find("\"user_id\":\"" + user + "\"") != std::string::npos) out.push_back(m);
  return out;
}

std::vector<std::string> types_of(const std::vector<Received>& ms, std::size_t from) {
  std::vector<std::string> out;
  for (std::size_t i = from; i < ms.size(); ++i)
    out.push_back(ms[i].subject.substr(std::string("task_service.").size()));
  return out;
}

/// Drives every API operation and checks the events each one published.
void check_operations(Backend backend, const std::string& url, bool jetstream) {
  ServiceRig rig(backend);
  rig.caller.user_id = unique_user();
  const auto& user = rig.caller.user_id;
  Collector collector(url);
  auto sink = std::make_shared<NatsEventSink>(fast_nats(url), null_logger());
  OutboxRelay relay(rig.repo, sink, rig.clock, fast_relay(), null_logger());
  std::size_t seen = 0;
  auto step = [&](std::vector<std::string> expected) {
    relay.drain();
    REQUIRE(wait_until([&] { return of_user(collector, user).size() >= seen + expected.size(); }));
    const auto ms = of_user(collector, user);
    CHECK(types_of(ms, seen) == expected);
    for (std::size_t i = seen; i < ms.size(); ++i)
      check_message(ms[i], jetstream);
    seen = ms.size();
    return ms;
  };

  const auto t = rig.create("first");
  auto ms = step({"task.created"});
  auto created = json::parse(ms.back().body).at("data").as_object();
  CHECK(created.at("task_id").as_string() == t.task_id);
  CHECK(created.at("name").as_string() == "first");
  CHECK(created.at("status").as_string() == "pending");

  rig.clock->advance(1ms);
  rig.service->update_task(rig.caller, t.task_id, json::parse(R"({"name":"renamed"})"));
  ms = step({"task.updated"});
  CHECK(json::parse(ms.back().body).at("data").at("updated_fields") == json::array{"name"});

  rig.clock->advance(1ms);
  rig.service->update_task(rig.caller, t.task_id, json::parse(R"({"status":"paused"})"));
  ms = step({"task.updated", "task.status_changed"});
  auto changed = json::parse(ms.back().body).at("data").as_object();
  CHECK(changed.at("old_status").as_string() == "pending");
  CHECK(changed.at("new_status").as_string() == "paused");

  rig.clock->advance(1ms);
  rig.service->update_task(rig.caller, t.task_id, json::parse(R"({"status":"pending"})"));
  step({"task.updated", "task.status_changed"});

  rig.clock->advance(1ms);
  const auto run = rig.service->execute(rig.caller, t.task_id);
  ms = step({"task.status_changed", "task.executed", "task.status_changed"});
  auto executed = json::parse(ms[ms.size() - 2].body).at("data").as_object();
  CHECK(executed.at("execution_id").as_string() == run.execution.execution_id);
  CHECK(executed.at("status").as_string() == "completed");
  CHECK(executed.at("trigger_type").as_string() == "manual");

  // A recurring todo's completion (docs/api.md §16): task.updated, then task.completed.
  const auto rec = rig.service->create_task(
      rig.caller, json::parse(R"({"name":"rec","task_type":"todo","due_date":"2030-01-01T09:00:00Z",
          "recurrence":{"type":"daily","time":"09:00"}})"));
  step({"task.created"});
  rig.clock->advance(1ms);
  rig.service->update_task(rig.caller, rec.task_id, json::parse(R"({"status":"completed"})"));
  ms = step({"task.updated", "task.completed"});
  auto completed = json::parse(ms.back().body).at("data").as_object();
  CHECK(completed.at("task_id").as_string() == rec.task_id);
  CHECK(completed.at("due_date").as_string() == "2030-01-01T09:00:00Z");
  CHECK(completed.at("next_due_date").as_string() == "2030-01-02T09:00:00Z");

  const auto other = rig.create("second");
  step({"task.created"});
  rig.clock->advance(1ms);
  rig.service->delete_task(rig.caller, other.task_id);
  ms = step({"task.deleted"});
  CHECK(json::parse(ms.back().body).at("data").at("task_id").as_string() == other.task_id);

  // Nothing else was published for this user.
  relay.drain();
  CHECK(of_user(collector, user).size() == seen);
  CHECK(sink->status().jetstream == jetstream);
  CHECK(sink->status().connected);
}

}  // namespace

TEST_CASE("each API operation publishes exactly its §14 events (JetStream)") {
  for (auto backend : {Backend::memory, Backend::sqlite}) {
    if (!backend_available(backend)) continue;
    DYNAMIC_SECTION(backend_name(backend)) {
      check_operations(backend, js_url(), true);
    }
  }
}

TEST_CASE("without JetStream the publisher uses core NATS with one flush per batch") {
  NatsServer core_server;  // no -js
  for (auto backend : {Backend::memory, Backend::sqlite}) {
    if (!backend_available(backend)) continue;
    DYNAMIC_SECTION(backend_name(backend)) {
      check_operations(backend, core_server.url(), false);
    }
  }
}

TEST_CASE("a NATS outage loses nothing: 500 writes during the outage all arrive, in order") {
  TempDir js_dir;
  NatsServer server(js_dir.path);
  ServiceRig rig(Backend::sqlite);
  auto sink = std::make_shared<NatsEventSink>(fast_nats(server.url()), null_logger());
  auto relay =
      std::make_shared<OutboxRelay>(rig.repo, sink, rig.clock, fast_relay(), null_logger());
  sink->on_connected([relay] { relay->retry_now(); });
  relay->start();

  std::vector<std::string> tasks;
  for (int i = 0; i < 50; ++i) {
    tasks.push_back(rig.create("t" + std::to_string(i)).task_id);
    relay->notify();
  }
  REQUIRE(wait_until([&] { return read_stream(server.url(), "TASK_SERVICE").size() == 50; }));

  server.stop();
  REQUIRE(wait_until([&] { return !sink->status().connected; }));
  for (int round = 0; round < 10; ++round)
    for (const auto& id : tasks) {
      rig.clock->advance(1ms);
      rig.service->update_task(
          rig.caller, id, json::parse(R"({"description":"r)" + std::to_string(round) + R"("})"));
      relay->notify();
    }
  REQUIRE(wait_until([&] { return relay->status().backlog == 500; }));
  CHECK_FALSE(relay->status().last_error.empty());
  CHECK(relay->status().current_backoff > 0ms);

  server.start();
  REQUIRE(wait_until([&] { return relay->status().backlog == 0; }, 30s));
  relay->stop();
  const auto stored = read_stream(server.url(), "TASK_SERVICE");
  REQUIRE(stored.size() == 550);
  std::set<std::string> ids;
  std::map<std::string, std::vector<Timestamp>> times;
  for (const auto& m : stored) {
    const auto env = json::parse(m.body).as_object();
    const std::string id(env.at("id").as_string());
    CHECK(m.msg_id == id);
    ids.insert(id);
    times[std::string(env.at("data").at("task_id").as_string())].push_back(
        *parse_rfc3339(env.at("time").as_string()));
  }
  CHECK(ids.size() == 550);  // none lost, none stored twice (Nats-Msg-Id dedupe)
  REQUIRE(times.size() == 50);
  for (const auto& [task, ts] : times) {
    INFO(task);
    CHECK(ts.size() == 11);
    CHECK(std::is_sorted(ts.begin(), ts.end()));
    CHECK(std::adjacent_find(ts.begin(), ts.end()) == ts.end());  // strictly increasing
  }
  CHECK(sink->status().reconnects + sink->status().disconnects >= 1);
}

TEST_CASE("a crash between commit and publish loses nothing (SQLite outbox)") {
  if (!backend_available(Backend::sqlite)) return;
  TempDir dir;
  const std::string db = dir.path + "/tasks.db";
  std::set<std::string> task_ids;
  {
    ServiceRig rig(Backend::sqlite, db);
    for (int i = 0; i < 10; ++i) {
      const auto t = rig.create("c" + std::to_string(i));
      task_ids.insert(t.task_id);
      rig.service->update_task(rig.caller, t.task_id, json::parse(R"({"priority":"high"})"));
    }
    // A relay whose NATS never came up: it tries, fails and is destroyed with the process.
    auto dead = std::make_shared<NatsEventSink>(
        fast_nats("nats://127.0.0.1:" + std::to_string(free_port())), null_logger());
    OutboxRelay relay(rig.repo, dead, rig.clock, fast_relay(), null_logger());
    CHECK(relay.relay_once().failed);
  }
  TempDir js_dir;
  NatsServer server(js_dir.path);
  auto repo = open_sqlite(db);
  REQUIRE(repo->outbox_backlog().first == 20);
  auto sink = std::make_shared<NatsEventSink>(fast_nats(server.url()), null_logger());
  OutboxRelay relay(repo, sink, std::make_shared<SystemClock>(), fast_relay(), null_logger());
  REQUIRE(wait_until([&] { return sink->status().connected; }));
  CHECK(relay.drain() == 20);
  CHECK(repo->outbox_backlog().first == 0);
  const auto stored = read_stream(server.url(), "TASK_SERVICE");
  REQUIRE(stored.size() == 20);
  std::set<std::string> seen_tasks;
  for (const auto& m : stored)
    seen_tasks.insert(std::string(json::parse(m.body).at("data").at("task_id").as_string()));
  CHECK(seen_tasks == task_ids);
}

TEST_CASE("a NATS_URL listing several servers connects to a live one and fails over") {
  NatsServer a;
  NatsServer b;
  const int dead = free_port();
  auto sink = std::make_shared<NatsEventSink>(
      fast_nats("nats://127.0.0.1:" + std::to_string(dead) + ", " + a.url() + "," + b.url()),
      null_logger());
  REQUIRE(wait_until([&] { return sink->status().connected; }, 10s));
  const auto first = sink->status().url;
  CHECK((first == a.url() || first == b.url()));
  (first == a.url() ? a : b).stop();
  REQUIRE(wait_until(
      [&] {
        const auto s = sink->status();
        // nats.c reports the new connection before its reconnected callback has counted it.
        return s.connected && !s.url.empty() && s.url != first && s.reconnects >= 1;
      },
      10s));
  const auto e = sample_event("task.created", "t1", Timestamp{});
  CHECK(sink->publish_batch(std::span<const Event>(&e, 1)) == 1);
}
