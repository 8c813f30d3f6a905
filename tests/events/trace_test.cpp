// W3C Trace Context in the CloudEvents envelope (distributed-tracing extension): events written
// during a request carry its trace, a scheduled run's events share the run's trace, the context
// survives the SQLite outbox, and the same attributes reach NATS and MQTT.
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <set>

#include "mqtt_support.hpp"
#include "service_rig.hpp"
#include "support.hpp"
#include "task/codec/json_codec.hpp"
#include "task/core/trace_context.hpp"
#include "task/events/event_system.hpp"
#include "task/service/scheduler.hpp"

using namespace task::events::test;

namespace {

constexpr const char* kTraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr const char* kCallerSpan = "00f067aa0ba902b7";

/// The context a request with `traceparent: 00-kTraceId-kCallerSpan-01` gets.
trace::TraceContext request_context() {
  return trace::continue_trace(
      trace::parse_traceparent(std::string("00-") + kTraceId + "-" + kCallerSpan + "-01"),
      "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7");
}

std::vector<Event> unpublished(TaskRepository& repo) {
  std::vector<Event> out;
  for (auto& row : repo.fetch_outbox(1000))
    out.push_back(row.event);
  return out;
}

}  // namespace

TEST_CASE("events of a request carry its traceparent and tracestate (memory and SQLite outbox)") {
  for (auto backend : {Backend::memory, Backend::sqlite}) {
    DYNAMIC_SECTION(backend_name(backend)) {
      ServiceRig rig(backend);
      const auto ctx = request_context();
      std::string task_id;
      {
        const trace::Scope traced(ctx);
        task_id = rig.create("traced").task_id;
        rig.clock->advance(1ms);
        rig.service->update_task(rig.caller, task_id, json::parse(R"({"status":"cancelled"})"));
      }
      rig.clock->advance(1ms);
      rig.service->delete_task(rig.caller, task_id);  // no request context: no trace

      const auto events = unpublished(*rig.repo);
      REQUIRE(events.size() == 4);  // created, updated, status_changed, deleted
      for (std::size_t i = 0; i < 3; ++i) {
        INFO(events[i].type);
        // This process's span is the parent a consumer continues from.
        CHECK(events[i].traceparent == std::string("00-") + kTraceId + "-" + ctx.span_id + "-01");
        CHECK(events[i].tracestate == "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7");
        const auto env = to_cloudevent(events[i]);
        CHECK(env.at("traceparent").as_string() == events[i].traceparent);
        CHECK(env.at("tracestate").as_string() == events[i].tracestate);
        CHECK(event_body(events[i]) == to_json_text(env));
        CHECK(from_cloudevent(env)->traceparent == events[i].traceparent);
      }
      CHECK(events[3].type == "task.deleted");
      CHECK(events[3].traceparent.empty());
      CHECK_FALSE(to_cloudevent(events[3]).contains("traceparent"));
      CHECK_FALSE(to_cloudevent(events[3]).contains("tracestate"));
    }
  }
}

TEST_CASE("a scheduled run's start and outcome events share one trace, each run its own") {
  ServiceRig rig(Backend::memory);
  const auto now = rig.clock->now();
  const auto run_at = format_rfc3339(now + std::chrono::seconds(1));
  for (int i = 0; i < 2; ++i)
    rig.service->create_task(
        rig.caller,
        json::parse(R"({"name":"s)" + std::to_string(i) +
                    R"(","task_type":"custom","config":{"url":"http://example.invalid/h"},
                                "schedule":{"type":"once","run_at":")" +
                    run_at + R"("}})"));
  for (auto& row : rig.repo->fetch_outbox(100))  // the creates (no trace: no request)
    rig.repo->mark_published({row.seq}, now);

  SchedulerOptions options;
  options.replica_id = "trace-replica";
  Scheduler scheduler(SchedulerPorts{rig.repo, rig.clock, rig.ids, rig.executors, nullptr,
                                     [c = rig.clock](Micros d) { c->advance(d); }},
                      options);
  rig.clock->advance(2s);
  CHECK(trace::current() == nullptr);
  const auto report = scheduler.step(rig.clock->now());
  CHECK(report.runs == 2);
  CHECK(trace::current() == nullptr);  // the scheduler's context does not leak to the caller

  std::map<std::string, std::vector<Event>> by_task;
  for (const auto& e : unpublished(*rig.repo))
    by_task[e.task_id].push_back(e);
  REQUIRE(by_task.size() == 2);
  std::set<std::string> traces;
  for (const auto& [task_id, events] : by_task) {
    INFO(task_id);
    // status_changed (running), executed, status_changed (completed).
    REQUIRE(events.size() == 3);
    const auto tp = trace::parse_traceparent(events[0].traceparent);
    REQUIRE(tp);
    for (const auto& e : events) {
      INFO(e.type << " " << e.traceparent);
      CHECK(e.traceparent == events[0].traceparent);
    }
    traces.insert(tp->trace_id);
  }
  CHECK(traces.size() == 2);
}

TEST_CASE("trace attributes reach NATS and MQTT subscribers") {
  MosquittoBroker broker(mqtt_test_port(3));
  TempDir js_dir;
  NatsServer nats_server(js_dir.path);
  ServiceRig rig(Backend::sqlite);
  rig.caller.user_id = "trace-" + RandomIdGenerator().task_id().substr(4);
  MqttCollector mqtt_in(broker.url(), "task_service/" + rig.caller.user_id + "/task/#");
  Collector nats_in(nats_server.url());

  EventBusConfig config;
  config.nats_url = nats_server.url();
  config.mqtt_url = broker.url();
  config.subscribe = false;
  config.relay.poll_interval = 100ms;
  auto bus = start_event_bus(config, rig.repo, rig.clock, rig.ids, null_logger());
  const auto ctx = request_context();
  {
    const trace::Scope traced(ctx);
    rig.create("traced");
  }
  rig.create("untraced");
  bus->notify();
  REQUIRE(mqtt_in.wait_for(2));
  REQUIRE(nats_in.wait_for(2));
  const auto expected = std::string("00-") + kTraceId + "-" + ctx.span_id + "-01";
  for (const auto& body : {mqtt_in.messages()[0].body, nats_in.messages()[0].body}) {
    INFO(body);
    const auto env = json::parse(body).as_object();
    CHECK(env.at("data").at("name").as_string() == "traced");
    CHECK(env.at("traceparent").as_string() == expected);
    CHECK(env.at("tracestate").as_string() == ctx.tracestate);
  }
  for (const auto& body : {mqtt_in.messages()[1].body, nats_in.messages()[1].body}) {
    const auto env = json::parse(body).as_object();
    CHECK(env.at("data").at("name").as_string() == "untraced");
    CHECK_FALSE(env.contains("traceparent"));
  }
}
