#include <catch2/catch.hpp>
#include <regex>
#include <thread>

#include "task/core/trace_context.hpp"

using namespace task::trace;

TEST_CASE("trace context: traceparent is parsed per W3C Trace Context", "[trace]") {
  const auto c = parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  REQUIRE(c);
  CHECK(c->trace_id == "4bf92f3577b34da6a3ce929d0e0e4736");
  CHECK(c->parent_id == "00f067aa0ba902b7");
  CHECK(c->flags == "01");
  CHECK(c->span_id.empty());
  // A later version may add fields after a dash.
  CHECK(parse_traceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-extra"));
  for (const char* bad : {
           "",
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",       // no flags
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x",  // version 00 is exact
           "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",    // version ff
           "00-00000000000000000000000000000000-00f067aa0ba902b7-01",    // zero trace id
           "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",    // zero parent id
           "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",    // upper case
           "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",    // not hex
           "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",    // separators
       }) {
    INFO(bad);
    CHECK_FALSE(parse_traceparent(bad));
  }
}

TEST_CASE("trace context: continue a trace or start one; outbound headers", "[trace]") {
  const std::regex header("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");
  auto incoming = parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  const auto cont = continue_trace(incoming, "vendor=abc");
  CHECK(cont.trace_id == "4bf92f3577b34da6a3ce929d0e0e4736");
  CHECK(cont.parent_id == "00f067aa0ba902b7");
  CHECK(cont.span_id.size() == 16);
  CHECK(cont.span_id != cont.parent_id);
  CHECK(cont.tracestate == "vendor=abc");
  CHECK(std::regex_match(cont.traceparent(), header));
  CHECK(continue_trace(incoming, std::string(600, 'x')).tracestate.empty());  // too long: dropped

  const auto a = continue_trace(std::nullopt);
  const auto b = continue_trace(std::nullopt);
  CHECK(std::regex_match(a.traceparent(), header));
  CHECK(a.trace_id != b.trace_id);
  CHECK(a.parent_id.empty());

  CHECK(current() == nullptr);
  CHECK(outbound_headers().empty());
  {
    const Scope scope(cont);
    REQUIRE(current() != nullptr);
    CHECK(current()->trace_id == cont.trace_id);
    const auto h = outbound_headers();
    REQUIRE(h.size() == 2);
    CHECK(h[0].first == "traceparent");
    CHECK(h[0].second == "00-4bf92f3577b34da6a3ce929d0e0e4736-" + cont.span_id + "-01");
    CHECK(h[1] == std::pair<std::string, std::string>{"tracestate", "vendor=abc"});
    {
      const Scope inner(a);
      CHECK(current()->trace_id == a.trace_id);
    }
    CHECK(current()->trace_id == cont.trace_id);              // restored
    std::thread([] { CHECK(current() == nullptr); }).join();  // per thread
  }
  CHECK(current() == nullptr);
}
