// The account-event subscriber over real nats-server processes: user.deleted and
// subscription.changed change the service, malformed payloads are survived, and durable
// consumers deliver what was published while the service was down.
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include "service_rig.hpp"
#include "support.hpp"
#include "task/events/event_system.hpp"

using namespace task::events::test;

namespace {

EventBusConfig fast_config(const std::string& url) {
  EventBusConfig c;
  c.nats_url = url;
  c.nats.reconnect_wait = 100ms;
  c.nats.ack_timeout = 2000ms;
  c.relay.initial_backoff = 20ms;
  c.relay.max_backoff = 300ms;
  c.relay.poll_interval = 100ms;
  c.subscriber.retry_delay = 100ms;
  return c;
}

std::string envelope(const std::string& type, const std::string& data) {
  return R"({"specversion":"1.0","id":")" + RandomIdGenerator().event_id() +
         R"(","source":"account_service","type":")" + type +
         R"(","time":"2026-11-26T10:00:00Z","datacontenttype":"application/json","data":)" + data +
         "}";
}

void exercise(ServiceRig& rig, const std::string& url, bool expect_durable) {
  auto bus = start_event_bus(fast_config(url), rig.repo, rig.clock, rig.ids, null_logger());
  REQUIRE(wait_until([&] {
    auto s = bus->status().subscriber;
    return s && s->subjects.size() == 2 && s->subjects[0].subscribed && s->subjects[1].subscribed;
  }));
  const auto subscriber = bus->status().subscriber;
  REQUIRE(subscriber);
  for (const auto& s : subscriber->subjects) {
    INFO(s.subject);
    CHECK(s.durable == expect_durable);
  }

  const auto a = rig.create("a");
  const auto b = rig.create("b");
  Collector collector(url);
  // Malformed messages first: they must be survived and must not block what follows.
  nats_publish(url, "account_service.user.deleted", "this is not json");
  nats_publish(url, "account_service.user.deleted", R"({"nope":1})");
  nats_publish(url, "account_service.subscription.changed", R"({"user_id":"x","new_tier":"gold"})");
  nats_publish(url, "account_service.subscription.changed", envelope("subscription.changed", "7"));

  nats_publish(url, "account_service.user.deleted",
               envelope("user.deleted", R"({"user_id":")" + rig.caller.user_id + R"("})"));
  REQUIRE(wait_until([&] {
    return rig.repo->find_task(a.task_id)->status == TaskStatus::cancelled &&
           rig.repo->find_task(b.task_id)->status == TaskStatus::cancelled;
  }));
  // The cancellations were published through the outbox.
  REQUIRE(wait_until([&] {
    int n = 0;
    for (const auto& m : collector.messages())
      if (m.subject == "task_service.task.status_changed" &&
          m.body.find("\"reason\":\"user_deleted\"") != std::string::npos)
        ++n;
    return n == 2;
  }));

  nats_publish(url, "billing.subscription.changed", R"({"user_id":"lvl-user","new_tier":"pro"})");
  REQUIRE(wait_until([&] { return rig.repo->find_user_level("lvl-user").has_value(); }));
  CHECK(rig.repo->find_user_level("lvl-user") == SubscriptionLevel::pro);
  CHECK(rig.service->resolve_level("lvl-user") == SubscriptionLevel::pro);

  const auto st = bus->status().subscriber;
  CHECK(st->malformed == 4);
  CHECK(st->handled == 2);
  CHECK(bus->status().healthy);
}

}  // namespace

TEST_CASE("subscriptions with JetStream: durable consumers, survive malformed, keep messages") {
  TempDir js_dir;
  NatsServer server(js_dir.path);
  add_stream(server.url(), "ACCOUNTS", {"account_service.>", "billing.>"});
  ServiceRig rig(Backend::sqlite);
  rig.caller.user_id = "doomed-user";
  exercise(rig, server.url(), true);

  // Published while no subscriber runs: the durable consumer delivers it on the next start.
  nats_publish(server.url(), "billing.subscription.changed",
               R"({"user_id":"later-user","new_tier":"enterprise"})");
  CHECK_FALSE(rig.repo->find_user_level("later-user").has_value());
  auto bus =
      start_event_bus(fast_config(server.url()), rig.repo, rig.clock, rig.ids, null_logger());
  REQUIRE(wait_until([&] { return rig.repo->find_user_level("later-user").has_value(); }));
  CHECK(rig.repo->find_user_level("later-user") == SubscriptionLevel::enterprise);
  // Handled messages were acknowledged: the restart did not replay the earlier ones.
  CHECK(bus->status().subscriber->malformed == 0);
}

TEST_CASE("subscriptions without JetStream use plain subscriptions") {
  NatsServer server;
  for (auto backend : {Backend::memory, Backend::sqlite}) {
    if (!backend_available(backend)) continue;
    DYNAMIC_SECTION(backend_name(backend)) {
      ServiceRig rig(backend);
      rig.caller.user_id = std::string("core-user-") + backend_name(backend);
      exercise(rig, server.url(), false);
    }
  }
}

TEST_CASE("without NATS_URL the event system relays into the in-process bus") {
  ServiceRig rig(Backend::memory);
  auto bus = start_event_bus({}, rig.repo, rig.clock, rig.ids, null_logger());
  REQUIRE(bus->in_process());
  std::vector<std::string> types;
  std::mutex mu;
  bus->in_process()->subscribe("", [&](const Event& e) {
    std::lock_guard lock(mu);
    types.push_back(e.type);
  });
  const auto t = rig.create("inproc");
  bus->notify();
  REQUIRE(wait_until([&] {
    std::lock_guard lock(mu);
    return types.size() == 1;
  }));
  const auto out = bus->deliver_account_event("account_service.user.deleted",
                                              R"({"user_id":")" + rig.caller.user_id + R"("})");
  CHECK(out.cancelled_task_ids == std::vector<std::string>{t.task_id});
  REQUIRE(wait_until([&] {
    std::lock_guard lock(mu);
    return types.size() == 2;
  }));
  std::lock_guard lock(mu);
  CHECK(types == std::vector<std::string>{"task.created", "task.status_changed"});
  const auto st = bus->status();
  CHECK(st.kind == "in_process");
  CHECK(st.healthy);
  CHECK(st.backlog == 0);
}

TEST_CASE("subject intersections pick the stream subjects a durable consumer can filter on") {
  CHECK(subject_intersection("*.user.deleted", "account_service.>") ==
        "account_service.user.deleted");
  CHECK(subject_intersection("*.user.deleted", "account_service.user.*") ==
        "account_service.user.deleted");
  CHECK(subject_intersection("*.user.deleted", ">") == "*.user.deleted");
  CHECK(subject_intersection("*.user.deleted", "*.user.deleted") == "*.user.deleted");
  CHECK(subject_intersection("*.user.deleted", "a.b.user.deleted") == std::nullopt);
  CHECK(subject_intersection("*.user.deleted", "task_service.task.>") == std::nullopt);
  CHECK(subject_intersection("*.user.deleted", "billing.subscription.changed") == std::nullopt);
  CHECK(subject_intersection("*.user.deleted", "acc") == std::nullopt);
  CHECK(subject_intersection("a.>", ">") == "a.>");
}
