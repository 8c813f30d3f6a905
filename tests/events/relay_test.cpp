// The outbox relay and the in-process bus, without a server: ordering, no loss while the sink
// or storage is down, acknowledged prefixes, prompt wake-up, backoff and pruning.
#include <catch2/catch.hpp>

#include <boost/json/parse.hpp>
#include "support.hpp"
#include "task/codec/json_codec.hpp"
#include "task/events/event_bus.hpp"
#include "task/events/nats_sink.hpp"
#include "task/events/outbox_relay.hpp"

using namespace task::events::test;

namespace {
const Timestamp kT0 = from_unix_micros(1'800'000'000'000'000);

struct Rig {
  std::shared_ptr<FakeOutbox> repo = std::make_shared<FakeOutbox>();
  std::shared_ptr<RecordingSink> sink = std::make_shared<RecordingSink>();
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(kT0);
  std::vector<std::string> ids;

  void add(int n, const std::string& task = "tsk_a") {
    for (int i = 0; i < n; ++i) {
      auto e = sample_event("task.updated", task, clock->now());
      ids.push_back(e.id);
      repo->append(std::move(e), clock->now());
    }
  }
  std::vector<std::string> sent_ids() const {
    std::vector<std::string> out;
    for (const auto& e : sink->events())
      out.push_back(e.id);
    return out;
  }
};

RelayOptions small_batches(int n) {
  RelayOptions o;
  o.batch_size = n;
  return o;
}
}  // namespace

TEST_CASE("relay publishes outbox rows in commit order and marks them published") {
  Rig rig;
  rig.add(7);
  OutboxRelay relay(rig.repo, rig.sink, rig.clock, small_batches(3), null_logger());
  auto step = relay.relay_once();
  CHECK(step.fetched == 3);
  CHECK(step.published == 3);
  CHECK_FALSE(step.failed);
  CHECK(relay.drain() == 4);
  CHECK(rig.sent_ids() == rig.ids);
  CHECK(rig.repo->published_seqs().size() == 7);
  const auto st = relay.status();
  CHECK(st.backlog == 0);
  CHECK(st.published_total == 7);
  CHECK_FALSE(relay.relay_once().failed);  // empty outbox is not a failure
}

TEST_CASE("relay keeps every row while the sink is down and sends them once it is back") {
  Rig rig;
  rig.add(5);
  rig.clock->advance(3s);
  OutboxRelay relay(rig.repo, rig.sink, rig.clock, {}, null_logger());
  rig.sink->down = true;
  auto step = relay.relay_once();
  CHECK(step.failed);
  CHECK(step.published == 0);
  CHECK(rig.repo->published_seqs().empty());
  auto st = relay.status();
  CHECK(st.backlog == 5);
  CHECK(st.oldest_age == 3000ms);
  CHECK_FALSE(st.last_error.empty());

  rig.sink->down = false;
  CHECK(relay.drain() == 5);
  CHECK(rig.sent_ids() == rig.ids);
  CHECK(relay.status().last_error.empty());
}

TEST_CASE("relay marks only the acknowledged prefix and republishes the rest") {
  Rig rig;
  rig.add(6);
  OutboxRelay relay(rig.repo, rig.sink, rig.clock, {}, null_logger());
  rig.sink->ack_limit = 2;
  auto step = relay.relay_once();
  CHECK(step.failed);
  CHECK(step.published == 2);
  CHECK(rig.repo->published_seqs() == std::vector<std::int64_t>{1, 2});
  rig.sink->ack_limit = -1;
  CHECK(relay.drain() == 4);
  CHECK(rig.sent_ids() == rig.ids);
}

TEST_CASE("relay survives storage failures and leaves rows unpublished") {
  Rig rig;
  rig.add(2);
  OutboxRelay relay(rig.repo, rig.sink, rig.clock, {}, null_logger());
  rig.repo->down = true;
  auto step = relay.relay_once();
  CHECK(step.failed);
  CHECK(step.error.find("storage") != std::string::npos);
  CHECK(relay.status().backlog == -1);
  rig.repo->down = false;
  CHECK(relay.drain() == 2);
}

TEST_CASE("relay prunes published rows after the retention only") {
  Rig rig;
  rig.add(3);
  RelayOptions o;
  o.retention = 1h;
  OutboxRelay relay(rig.repo, rig.sink, rig.clock, o, null_logger());
  relay.drain();
  rig.add(1);  // unpublished: never pruned
  rig.clock->advance(30min);
  CHECK(relay.prune_once() == 0);
  rig.clock->advance(31min);
  CHECK(relay.prune_once() == 3);
  CHECK(rig.repo->size() == 1);
}

TEST_CASE("background relay wakes on notify, backs off while down, recovers on retry_now") {
  Rig rig;
  RelayOptions o;
  o.poll_interval = std::chrono::hours(1);  // only notify() can wake it
  o.initial_backoff = 20ms;
  o.max_backoff = 200ms;
  OutboxRelay relay(rig.repo, rig.sink, rig.clock, o, null_logger());
  relay.start();
  CHECK(relay.status().running);
  rig.add(3);
  relay.notify();
  REQUIRE(wait_until([&] { return rig.sink->events().size() == 3; }));

  rig.sink->down = true;
  rig.add(2);
  relay.notify();
  REQUIRE(wait_until([&] { return relay.status().current_backoff >= 80ms; }));
  CHECK(relay.status().current_backoff <= 200ms);  // capped
  const int calls_while_down = rig.sink->calls;
  CHECK(calls_while_down >= 3);

  rig.sink->down = false;
  relay.retry_now();
  REQUIRE(wait_until([&] { return rig.sink->events().size() == 5; }));
  CHECK(rig.sent_ids() == rig.ids);
  REQUIRE(wait_until([&] { return relay.status().current_backoff == 0ms; }));
  relay.stop();
  CHECK_FALSE(relay.status().running);
}

TEST_CASE("in-process bus delivers by type and to all, and survives a throwing handler") {
  InProcessEventBus bus;
  std::vector<std::string> created, all;
  bus.subscribe("task.created", [&](const Event& e) { created.push_back(e.id); });
  bus.subscribe("", [](const Event&) { throw std::runtime_error("embedder bug"); });
  const auto id = bus.subscribe("*", [&](const Event& e) { all.push_back(e.id); });
  const auto a = sample_event("task.created", "tsk_a", kT0);
  const auto b = sample_event("task.deleted", "tsk_a", kT0);
  bus.publish(a);
  bus.publish(b);
  CHECK(created == std::vector<std::string>{a.id});
  CHECK(all == std::vector<std::string>{a.id, b.id});
  bus.unsubscribe(id);
  bus.publish(a);
  CHECK(all.size() == 2);
  CHECK(bus.published() == 3);
}

TEST_CASE("relay into the in-process bus delivers every committed event") {
  Rig rig;
  auto bus = std::make_shared<InProcessEventBus>();
  std::vector<std::string> got;
  bus->subscribe("", [&](const Event& e) { got.push_back(e.id); });
  rig.add(4);
  OutboxRelay relay(rig.repo, bus, rig.clock, {}, null_logger());
  CHECK(relay.drain() == 4);
  CHECK(got == rig.ids);
}

TEST_CASE("the published body is exactly the codec's CloudEvents envelope") {
  auto e = sample_event("task.updated", "tsk_\"quoted\"", kT0 + Micros(123));
  e.data["updated_fields"] = boost::json::array{"name", "tags"};
  e.data["credits"] = 1.5;
  e.data["nested"] = boost::json::object{{"k", nullptr}, {"s", "é\n"}};
  CHECK(event_body(e) == to_json_text(to_cloudevent(e)));
  CHECK(from_cloudevent(boost::json::parse(event_body(e)))->id == e.id);
}
