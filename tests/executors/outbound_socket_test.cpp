// The outbound module on real sockets (loopback only): every caller connects to the address its
// one resolution returned and that the policy checked, never to a later answer (DNS rebinding),
// keeps the URL's host in the Host header, and sends nothing to a refused target.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <atomic>
#include <memory>

#include "stub_provider.hpp"
#include "task/clients/webhook_executor.hpp"
#include "task/executors/providers.hpp"
#if TASK_HAVE_MEMORY
#include "task/memory/memory_repository.hpp"
#endif

namespace {

using namespace task;
using task::test::StubProvider;

/// A resolver whose first answer is `first` and every later answer `later` (a rebinding DNS).
struct RebindingDns {
  std::string first, later;
  std::shared_ptr<std::atomic<int>> calls = std::make_shared<std::atomic<int>>(0);
  clients::Resolver resolver() const {
    return [first = first, later = later, calls = calls](const std::string&, int) {
      return clients::ResolvedHost{{calls->fetch_add(1) == 0 ? first : later}, ""};
    };
  }
};

/// Two stubs on the same port: 127.0.0.1 (the checked answer) and 127.0.0.2 (the later one).
struct TwoStubs {
  httplib::Server checked, rebound;
  std::atomic<int> checked_hits{0}, rebound_hits{0};
  std::string host_header;
  int port = 0;
  std::thread a, b;

  TwoStubs() {
    auto record = [this](const httplib::Request& req, httplib::Response& res) {
      ++checked_hits;
      host_header = req.get_header_value("Host");
      res.set_content(R"({"location":"Berlin","temperature":1,"conditions":"ok"})",
                      "application/json");
    };
    checked.Get(".*", record);
    checked.Post(".*", record);
    checked.Put(".*", record);
    auto other = [this](const httplib::Request&, httplib::Response& res) {
      ++rebound_hits;
      res.status = 200;
    };
    rebound.Get(".*", other);
    rebound.Post(".*", other);
    rebound.Put(".*", other);
    port = checked.bind_to_any_port("127.0.0.1");
    REQUIRE(port > 0);
    // 127.0.0.2 is loopback on Linux; if it cannot be bound the test still checks the first stub.
    rebound_bound = rebound.bind_to_port("127.0.0.2", port);
    a = std::thread([this] { checked.listen_after_bind(); });
    if (rebound_bound) b = std::thread([this] { rebound.listen_after_bind(); });
    while (!checked.is_running() || (rebound_bound && !rebound.is_running()))
      std::this_thread::yield();
  }
  ~TwoStubs() {
    checked.stop();
    rebound.stop();
    if (a.joinable()) a.join();
    if (b.joinable()) b.join();
  }
  std::string url(const std::string& path) const {
    return "http://rebind.invalid:" + std::to_string(port) + path;
  }
  bool rebound_bound = false;
};

}  // namespace

TEST_CASE("outbound: every caller connects to the checked address, not a later DNS answer",
          "[outbound]") {
  TwoStubs stubs;
  const RebindingDns dns{"127.0.0.1", "127.0.0.2"};
  const clients::Outbound outbound{dns.resolver(), clients::httplib_transport};
  const std::string host = "rebind.invalid:" + std::to_string(stubs.port);

  SECTION("webhook") {
    clients::WebhookOptions o;
    o.allow_private = true;  // the stub is on loopback
    o.outbound = outbound;
    clients::WebhookExecutor exec(o);
    const auto out = exec.run(test::context(TaskType::custom, {{"url", stubs.url("/hook")}}));
    CHECK(out.success);
  }
  SECTION("weather provider") {
    auto c = test::test_config();
    c.weather_url = stubs.url("");
    c.outbound = outbound;
    const auto out = executors::make_weather_executor(c, nullptr)
                         ->run(test::context(TaskType::daily_weather, {{"location", "Berlin"}}));
    CHECK(out.success);
  }
  SECTION("calendar") {
    auto c = test::test_config();
    c.calendar_url = stubs.url("/cal");
    c.outbound = outbound;
    CHECK_NOTHROW(executors::make_calendar_client(c)->upsert_event(
        test::context(TaskType::calendar_event, {}).task));
  }
#if TASK_HAVE_MEMORY
  SECTION("backup destination") {
    auto c = test::test_config();
    c.allow_private_destinations = true;
    c.outbound = outbound;
    auto repo = std::make_shared<memory::MemoryRepository>();
    const auto out =
        executors::make_backup_executor(c, repo, nullptr)
            ->run(test::context(TaskType::data_backup, {{"destination", stubs.url("/upload")}}));
    CHECK(out.success);
  }
#endif
  // "rebind.invalid" cannot resolve through the system: a success means the client connected to
  // the mapped, checked address and did not look the name up again.
  CHECK(dns.calls->load() == 1);
  CHECK(stubs.checked_hits.load() == 1);
  CHECK(stubs.rebound_hits.load() == 0);
  CHECK(stubs.host_header == host);
}

TEST_CASE("outbound: a refused target is never connected to", "[outbound]") {
  TwoStubs stubs;
  const RebindingDns dns{"127.0.0.1", "127.0.0.1"};
  const clients::Outbound outbound{dns.resolver(), clients::httplib_transport};
  const auto port = std::to_string(stubs.port);
  for (const std::string& url :
       {stubs.url("/hook"), "http://127.0.0.1:" + port + "/", "http://2130706433:" + port + "/",
        "http://0x7f.1:" + port + "/", "http://[::ffff:127.0.0.1]:" + port + "/",
        "http://localhost:" + port + "/"}) {
    INFO(url);
    clients::WebhookOptions o;
    o.outbound = outbound;
    const auto out =
        clients::WebhookExecutor(o).run(test::context(TaskType::custom, {{"url", url}}));
    CHECK(test::error_code(out) == "WEBHOOK_TARGET_FORBIDDEN");
#if TASK_HAVE_MEMORY
    auto c = test::test_config();
    c.outbound = outbound;
    const auto backup =
        executors::make_backup_executor(c, std::make_shared<memory::MemoryRepository>(), nullptr)
            ->run(test::context(TaskType::data_backup, {{"destination", url}}));
    CHECK(test::error_code(backup) == "DESTINATION_REFUSED");
#endif
  }
  CHECK(stubs.checked_hits.load() == 0);
}

TEST_CASE("outbound: the transport refuses CR/LF in what it would write", "[outbound]") {
  TwoStubs stubs;
  const clients::Vetted target{*clients::parse_http_url(stubs.url("/x")), "127.0.0.1"};
  for (const auto& [k, v] : std::vector<std::pair<std::string, std::string>>{
           {"X-A", "v\r\nX-Injected: 1"}, {"X-A\r\nX-B", "v"}, {"X-A", std::string("a\0b", 3)}}) {
    clients::OutboundRequest req("POST", "");
    req.headers = {{k, v}};
    const auto res = clients::httplib_transport(target, req, {});
    CHECK_FALSE(res.error.empty());
  }
  clients::OutboundRequest method("POST / HTTP/1.1\r\nX: 1\r\n\r\nGET", "");
  CHECK_FALSE(clients::httplib_transport(target, method, {}).error.empty());
  CHECK(stubs.checked_hits.load() == 0);
  clients::OutboundRequest fine("POST", "");
  fine.headers = {{"X-A", "v"}};
  CHECK(clients::httplib_transport(target, fine, {}).status == 200);
  CHECK(stubs.checked_hits.load() == 1);
}

TEST_CASE("outbound: https connects to the checked address and keeps the host name for SNI",
          "[outbound]") {
  // A bare TCP listener on 127.0.0.1 that reads the TLS ClientHello and hangs up.
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(listener >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::listen(listener, 1) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  const int port = ntohs(addr.sin_port);
  std::string hello;
  std::thread reader([&] {
    pollfd p{listener, POLLIN, 0};
    if (::poll(&p, 1, 5000) != 1) return;
    const int c = ::accept(listener, nullptr, nullptr);
    if (c < 0) return;
    pollfd q{c, POLLIN, 0};
    char buf[4096];
    if (::poll(&q, 1, 5000) == 1) {
      const auto n = ::recv(c, buf, sizeof buf, 0);
      if (n > 0) hello.assign(buf, static_cast<std::size_t>(n));
    }
    ::close(c);
  });
  const RebindingDns dns{"127.0.0.1", "127.0.0.2"};
  clients::WebhookOptions o;
  o.allow_private = true;
  o.outbound = {dns.resolver(), clients::httplib_transport};
  o.default_timeout_ms = 2000;
  const auto out = clients::WebhookExecutor(o).run(test::context(
      TaskType::custom, {{"url", "https://sni-check.invalid:" + std::to_string(port) + "/"}}));
  reader.join();
  ::close(listener);
  CHECK_FALSE(out.success);  // no TLS server there
  CHECK(dns.calls->load() == 1);
  CHECK(hello.find("sni-check.invalid") != std::string::npos);
}
