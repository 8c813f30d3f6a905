// The MQTT sink: URL and topic rules, the fan-out from one outbox to several sinks, and the
// publisher against a real mosquitto broker on 127.0.0.1 (started and stopped by the test),
// including a broker restart in the middle of a stream of writes.
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <thread>

#include "mqtt_support.hpp"
#include "service_rig.hpp"
#include "support.hpp"
#include "task/codec/json_codec.hpp"
#include "task/events/event_system.hpp"
#include "task/events/fanout_sink.hpp"
#include "task/events/mqtt_sink.hpp"
#include "task/events/outbox_relay.hpp"

using namespace task::events::test;

namespace {

MqttOptions fast_mqtt(const std::string& url) {
  MqttOptions o;
  o.url = url;
  o.reconnect_wait = 50ms;
  o.max_reconnect_wait = 300ms;
  o.ack_timeout = 2000ms;
  return o;
}

std::string unique_user() {
  return "mqtt-" + RandomIdGenerator().task_id().substr(4);
}

}  // namespace

TEST_CASE("MQTT URLs: schemes, credentials, ports; bad ones name the problem") {
  auto u = parse_mqtt_url("mqtt://127.0.0.1:1884");
  CHECK(u.server_uri == "tcp://127.0.0.1:1884");
  CHECK(u.display == "mqtt://127.0.0.1:1884");
  CHECK(u.username.empty());
  u = parse_mqtt_url("tcp://dev:p%40ss@broker.internal");
  CHECK(u.server_uri == "tcp://broker.internal:1883");
  CHECK(u.username == "dev");
  CHECK(u.password == "p@ss");
  CHECK(u.display == "mqtt://broker.internal:1883");  // never the password
  CHECK(parse_mqtt_url("mqtt://[::1]:1999/").server_uri == "tcp://[::1]:1999");

  const auto message = [](const std::string& url) {
    try {
      parse_mqtt_url(url);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  CHECK_THAT(message("127.0.0.1:1883"), Catch::Contains("expected mqtt://host[:port]"));
  CHECK_THAT(message("http://h:1"), Catch::Contains("unknown scheme 'http'"));
  CHECK_THAT(message("mqtts://h:8883"), Catch::Contains("TLS (mqtts://) is not supported"));
  CHECK_THAT(message("mqtt://h:0"), Catch::Contains("port '0'"));
  CHECK_THAT(message("mqtt://h:99999"), Catch::Contains("port '99999'"));
  CHECK_THAT(message("mqtt://h:x"), Catch::Contains("port 'x'"));
  CHECK_THAT(message("mqtt://:1883"), Catch::Contains("no host"));
  CHECK_THAT(message("mqtt://h/topic"), Catch::Contains("a path is not allowed"));
  CHECK_THROWS_AS(MqttEventSink(fast_mqtt("nats://h:4222"), null_logger()), std::invalid_argument);
}

TEST_CASE("MQTT topics: task_service/<user_id>/task/<event>, one level per user id") {
  Event e = sample_event("task.reminder_triggered", "tsk_1", Timestamp{});
  e.user_id = "u1";
  CHECK(mqtt_topic(e) == "task_service/u1/task/reminder_triggered");
  e.type = "task.status_changed";
  CHECK(mqtt_topic(e, "acme") == "acme/u1/task/status_changed");
  e.user_id = "a/b+c#d%e";
  CHECK(mqtt_topic(e) == "task_service/a%2Fb%2Bc%23d%25e/task/status_changed");
}

TEST_CASE("fan-out: a row is published only when every sink acknowledged it") {
  auto repo = std::make_shared<FakeOutbox>();
  auto clock = std::make_shared<ManualClock>(Timestamp{std::chrono::seconds(1'700'000'000)});
  for (int i = 0; i < 5; ++i)
    repo->append(sample_event("task.created", "t" + std::to_string(i), clock->now()), clock->now());
  auto nats = std::make_shared<RecordingSink>();
  auto mqtt = std::make_shared<RecordingSink>();
  auto fan =
      std::make_shared<FanoutSink>(std::vector<FanoutSink::Member>{{"nats", nats}, {"mqtt", mqtt}});
  OutboxRelay relay(repo, fan, clock, fast_relay(), null_logger());

  mqtt->down = true;
  auto step = relay.relay_once();
  CHECK(step.failed);
  CHECK_THAT(step.error, Catch::Contains("mqtt: recording sink down"));
  CHECK(step.published == 0);
  CHECK(repo->published_seqs().empty());
  CHECK(nats->events().size() == 5);

  // While MQTT is down the relay retries; NATS is not sent the same rows again.
  relay.relay_once();
  CHECK(nats->events().size() == 5);
  CHECK(nats->calls == 1);

  // MQTT acknowledges part of the batch: only the common prefix is marked.
  mqtt->down = false;
  mqtt->ack_limit = 2;
  step = relay.relay_once();
  CHECK(step.published == 2);
  CHECK(repo->published_seqs().size() == 2);
  mqtt->ack_limit = -1;
  CHECK(relay.drain() == 3);
  CHECK(repo->published_seqs().size() == 5);
  CHECK(nats->events().size() == 5);  // still once each
  REQUIRE(mqtt->events().size() == 5);
  for (std::size_t i = 0; i < 5; ++i)
    CHECK(mqtt->events()[i].id == nats->events()[i].id);

  // NATS down: MQTT is ahead, nothing marked, and NATS gets every row once it is back.
  repo->append(sample_event("task.updated", "t9", clock->now()), clock->now());
  nats->down = true;
  CHECK(relay.relay_once().failed);
  CHECK(mqtt->events().size() == 6);
  nats->down = false;
  CHECK(relay.drain() == 1);
  CHECK(mqtt->events().size() == 6);
  CHECK(nats->events().size() == 6);
}

TEST_CASE("MQTT: every event goes to its user's topic with QoS 1 and the NATS body") {
  MosquittoBroker broker(mqtt_test_port(0));
  const auto user = unique_user();
  MqttCollector collector(broker.url(), "task_service/" + user + "/#");
  ServiceRig rig(Backend::memory);
  rig.caller.user_id = user;
  auto sink = std::make_shared<MqttEventSink>(fast_mqtt(broker.url()), null_logger());
  REQUIRE(wait_until([&] { return sink->status().connected; }, 10s));
  OutboxRelay relay(rig.repo, sink, rig.clock, fast_relay(), null_logger());

  const auto t = rig.create("pushed");
  rig.clock->advance(1ms);
  rig.service->update_task(rig.caller, t.task_id, json::parse(R"({"description":"d"})"));
  CHECK(relay.drain() == 2);
  REQUIRE(collector.wait_for(2));
  const auto got = collector.messages();
  CHECK(got[0].topic == "task_service/" + user + "/task/created");
  CHECK(got[1].topic == "task_service/" + user + "/task/updated");
  for (const auto& m : got) {
    INFO(m.body);
    CHECK(m.qos == 1);
    const auto env = json::parse(m.body).as_object();
    CHECK(env.at("specversion").as_string() == "1.0");
    CHECK(env.at("source").as_string() == "task_service");
    CHECK(env.at("subject").as_string() == t.task_id);
    CHECK(env.at("data").at("user_id").as_string() == user);
    // The body is byte for byte what NATS gets.
    const auto e = from_cloudevent(env);
    REQUIRE(e);
    CHECK(m.body == event_body(*e));
  }
  CHECK(sink->status().published == 2);
  CHECK(sink->status().last_error.empty());
}

TEST_CASE("MQTT broker down at start, then up: the relay keeps the rows and sends them") {
  const int port = mqtt_test_port(1);
  ServiceRig rig(Backend::memory);
  rig.caller.user_id = unique_user();
  auto sink = std::make_shared<MqttEventSink>(fast_mqtt("mqtt://127.0.0.1:" + std::to_string(port)),
                                              null_logger());
  auto relay =
      std::make_shared<OutboxRelay>(rig.repo, sink, rig.clock, fast_relay(), null_logger());
  sink->on_connected([relay] { relay->retry_now(); });
  relay->start();
  for (int i = 0; i < 20; ++i) {
    rig.create("early" + std::to_string(i));
    relay->notify();
  }
  REQUIRE(wait_until([&] { return relay->status().failures_total > 0; }));
  CHECK(relay->status().backlog == 20);
  CHECK_THAT(sink->status().last_error, Catch::Contains("mqtt"));
  CHECK_FALSE(sink->status().connected);

  MosquittoBroker broker(port);
  MqttCollector collector(broker.url(), "task_service/" + rig.caller.user_id + "/#");
  REQUIRE(wait_until([&] { return relay->status().backlog == 0; }, 20s));
  relay->stop();
  // The collector subscribed after the broker started; rows published before it subscribed are
  // not retained by MQTT (they went to NATS subscribers and to MQTT's then-current subscribers).
  CHECK(sink->status().published == 20);
  CHECK(sink->status().connected);
}

TEST_CASE("NATS + MQTT from one outbox: a broker restart mid-stream loses nothing") {
  MosquittoBroker broker(mqtt_test_port(2));
  const auto user = unique_user();
  MqttCollector mqtt_in(broker.url(), "task_service/" + user + "/task/#");
  TempDir js_dir;
  NatsServer nats_server(js_dir.path);
  Collector nats_in(nats_server.url());
  ServiceRig rig(Backend::sqlite);
  rig.caller.user_id = user;

  EventBusConfig config;
  config.nats_url = nats_server.url();
  config.mqtt_url = broker.url();
  config.subscribe = false;
  config.relay = fast_relay();
  config.nats.reconnect_wait = 100ms;
  config.mqtt = fast_mqtt(broker.url());
  auto bus = start_event_bus(config, rig.repo, rig.clock, rig.ids, null_logger());
  REQUIRE(wait_until([&] {
    const auto s = bus->status();
    return s.connected && s.mqtt && s.mqtt->connected;
  }));

  constexpr int kWrites = 400;
  std::atomic<int> written{0};
  std::thread writer([&] {
    for (int i = 0; i < kWrites; ++i) {
      rig.create("w" + std::to_string(i));
      bus->notify();
      ++written;
      std::this_thread::sleep_for(2ms);
    }
  });
  REQUIRE(mqtt_in.wait_for(50));
  broker.stop();  // mid-stream
  REQUIRE(wait_until([&] { return !bus->status().mqtt->connected; }));
  std::this_thread::sleep_for(300ms);
  const auto status_down = bus->status();
  // The subscriber must be back before the backlog goes out: mosquitto does not always resume
  // its persistent session after a restart, and MQTT keeps nothing for a client that is away.
  // The relay pauses meanwhile (rows keep piling up in the outbox).
  bus->relay().stop();
  const int subscriptions = mqtt_in.subscriptions();
  broker.start();
  const bool back = wait_until([&] { return mqtt_in.subscriptions() > subscriptions; }, 20s);
  bus->relay().start();
  writer.join();
  REQUIRE(back);
  REQUIRE(wait_until([&] { return bus->status().backlog == 0; }, 30s));
  CHECK_FALSE(status_down.healthy);

  // Every event arrived on both; duplicates only as the same id with the same body.
  std::map<std::string, std::string> mqtt_bodies;
  mqtt_in.wait_for(kWrites, 30s);
  for (const auto& m : mqtt_in.messages()) {
    const auto env = json::parse(m.body).as_object();
    const std::string id(env.at("id").as_string());
    CHECK(m.topic == "task_service/" + user + "/task/created");
    auto [it, fresh] = mqtt_bodies.emplace(id, m.body);
    if (!fresh) CHECK(it->second == m.body);
  }
  CHECK(mqtt_bodies.size() == static_cast<std::size_t>(kWrites));
  REQUIRE(nats_in.wait_for(kWrites));
  {  // On a failure, say which events MQTT missed (positions in NATS order) and what the broker
     // logged.
    std::string missed;
    const auto all = nats_in.messages();
    for (std::size_t i = 0; i < all.size(); ++i)
      if (!mqtt_bodies.contains(std::string(json::parse(all[i].body).at("id").as_string())))
        missed += std::to_string(i) + " ";
    if (!missed.empty()) {
      std::ifstream log(broker.log_path());
      const std::string text((std::istreambuf_iterator<char>(log)), {});
      FAIL_CHECK("MQTT missed NATS positions " << missed << "; broker log:\n" << text);
    }
  }
  std::set<std::string> nats_ids;
  for (const auto& m : nats_in.messages()) {
    const auto env = json::parse(m.body).as_object();
    const std::string id(env.at("id").as_string());
    nats_ids.insert(id);
    if (mqtt_bodies.contains(id)) CHECK(mqtt_bodies.at(id) == m.body);
  }
  CHECK(nats_ids.size() == static_cast<std::size_t>(kWrites));
  for (const auto& [id, body] : mqtt_bodies)
    CHECK(nats_ids.contains(id));
  const auto s = bus->status();
  REQUIRE(s.mqtt);
  CHECK(s.mqtt->disconnects >= 1);
  CHECK(s.mqtt->reconnects >= 1);
  CHECK(s.healthy);
  UNSCOPED_INFO("mqtt messages " << mqtt_in.messages().size() << " for " << kWrites
                                 << " events; nats " << nats_in.messages().size());
}
