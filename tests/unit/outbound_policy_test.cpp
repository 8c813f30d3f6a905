// The outbound address policy (task/clients/outbound.hpp) over a table of addresses, and every
// caller that makes outbound requests run over the same table: webhooks and backup destinations
// (user-given: public_only) refuse every non-public form before anything is sent; providers, the
// calendar, notification and account services (operator-configured: AddressPolicy::any) connect
// to exactly the address that was resolved. No DNS and no sockets: the resolver and the transport
// are injected.
#include <catch2/catch.hpp>

#include <boost/json.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "support/doubles.hpp"
#include "task/clients/account_client.hpp"
#include "task/clients/notification_client.hpp"
#include "task/clients/outbound.hpp"
#include "task/clients/webhook_executor.hpp"
#include "task/executors/providers.hpp"
#include "task/memory/memory_repository.hpp"

namespace {

using namespace task;
using namespace task::clients;
using task::testing::context;
using task::testing::error_code;
namespace json = boost::json;

/// One row: how the host is written in the URL, the address it stands for (canonical), and
/// whether that address is public.
struct Row {
  std::string host;
  std::string address;  ///< canonical; "" when the name does not resolve
  bool is_public;
};

// Names the fake resolver knows (anything else does not resolve).
const std::map<std::string, std::vector<std::string>> kNames = {
    {"public.test", {"8.8.4.4"}},           {"public6.test", {"2606:4700:4700::1111"}},
    {"metadata.test", {"169.254.169.254"}}, {"mixed.test", {"8.8.8.8", "10.0.0.1"}},
    {"v6private.test", {"fd00::1"}},        {"mapped.test", {"::ffff:10.0.0.1"}},
    {"trailing.test.", {"127.0.0.1"}},      {"cgnat.test", {"100.100.1.1"}},
};

const std::vector<Row> kTable = {
    // public IPv4, in several spellings
    {"8.8.8.8", "8.8.8.8", true},
    {"1.1.1.1", "1.1.1.1", true},
    {"93.184.216.34", "93.184.216.34", true},
    {"134744072", "8.8.8.8", true},
    {"0x08.0x08.0x08.0x08", "8.8.8.8", true},
    {"172.32.0.1", "172.32.0.1", true},
    {"100.128.0.1", "100.128.0.1", true},
    {"198.20.0.1", "198.20.0.1", true},
    // loopback in every form the C library accepts
    {"127.0.0.1", "127.0.0.1", false},
    {"127.1.2.3", "127.1.2.3", false},
    {"2130706433", "127.0.0.1", false},
    {"0x7f.1", "127.0.0.1", false},
    {"0177.0.0.1", "127.0.0.1", false},
    {"0x7f000001", "127.0.0.1", false},
    {"127.1", "127.0.0.1", false},
    {"127.0.0.1.", "127.0.0.1", false},
    // this network, private, link-local, CGNAT, special purpose
    {"0.0.0.0", "0.0.0.0", false},
    {"0", "0.0.0.0", false},
    {"10.0.0.1", "10.0.0.1", false},
    {"172.16.0.1", "172.16.0.1", false},
    {"172.31.255.255", "172.31.255.255", false},
    {"192.168.1.1", "192.168.1.1", false},
    {"169.254.169.254", "169.254.169.254", false},
    {"100.64.0.1", "100.64.0.1", false},
    {"100.127.255.255", "100.127.255.255", false},
    {"192.0.0.8", "192.0.0.8", false},
    {"192.88.99.1", "192.88.99.1", false},
    {"198.18.0.1", "198.18.0.1", false},
    {"198.19.255.255", "198.19.255.255", false},
    // documentation
    {"192.0.2.1", "192.0.2.1", false},
    {"198.51.100.7", "198.51.100.7", false},
    {"203.0.113.9", "203.0.113.9", false},
    // multicast, reserved, broadcast
    {"224.0.0.1", "224.0.0.1", false},
    {"239.255.255.250", "239.255.255.250", false},
    {"240.0.0.1", "240.0.0.1", false},
    {"255.255.255.255", "255.255.255.255", false},
    // IPv6
    {"[2001:4860:4860::8888]", "2001:4860:4860::8888", true},
    {"[2606:4700:4700::1111]", "2606:4700:4700::1111", true},
    {"[::ffff:8.8.8.8]", "::ffff:8.8.8.8", true},
    {"[64:ff9b::808:808]", "64:ff9b::808:808", true},
    {"[::1]", "::1", false},
    {"[::]", "::", false},
    {"[0:0:0:0:0:0:0:1]", "::1", false},
    {"[::ffff:127.0.0.1]", "::ffff:127.0.0.1", false},
    {"[::ffff:7f00:1]", "::ffff:127.0.0.1", false},
    {"[::ffff:169.254.169.254]", "::ffff:169.254.169.254", false},
    {"[::ffff:10.1.2.3]", "::ffff:10.1.2.3", false},
    {"[::127.0.0.1]", "::127.0.0.1", false},
    {"[64:ff9b::7f00:1]", "64:ff9b::7f00:1", false},
    {"[64:ff9b:1::1]", "64:ff9b:1::1", false},
    {"[2002:7f00:1::]", "2002:7f00:1::", false},
    {"[100::1]", "100::1", false},
    {"[2001::1]", "2001::1", false},
    {"[2001:db8::1]", "2001:db8::1", false},
    {"[3fff::1]", "3fff::1", false},
    {"[fc00::1]", "fc00::1", false},
    {"[fd12:3456::1]", "fd12:3456::1", false},
    {"[fe80::1]", "fe80::1", false},
    {"[fec0::1]", "fec0::1", false},
    {"[ff02::1]", "ff02::1", false},
    // names
    {"public.test", "8.8.4.4", true},
    {"public6.test", "2606:4700:4700::1111", true},
    {"metadata.test", "169.254.169.254", false},
    {"mixed.test", "8.8.8.8", false},  // one private answer refuses the name
    {"v6private.test", "fd00::1", false},
    {"mapped.test", "::ffff:10.0.0.1", false},
    {"trailing.test.", "127.0.0.1", false},
    {"cgnat.test", "100.100.1.1", false},
};

/// A resolver that answers from kNames and counts its calls.
struct FakeDns {
  int calls = 0;
  Resolver resolver() {
    return [this](const std::string& host, int) {
      ++calls;
      auto it = kNames.find(host);
      if (it == kNames.end()) return ResolvedHost{{}, "Name or service not known"};
      return ResolvedHost{it->second, ""};
    };
  }
};

/// A transport that records where it was asked to connect and answers 200 with `body`.
struct FakeWire {
  std::vector<std::string> addresses;
  std::vector<std::string> hosts;
  std::string body = "{}";
  Transport transport() {
    return [this](const Vetted& v, const OutboundRequest&, const Timeouts&) {
      addresses.push_back(v.address);
      hosts.push_back(v.url.host);
      OutboundResponse r;
      r.status = 200;
      r.body = body;
      return r;
    };
  }
};

/// One run to a host of kTable: sent once to the address checked (public, or private allowed),
/// else refused with `refused_code` before anything is sent; one DNS query at most.
void check_sent_or_refused(const RunOutcome& out, const Row& row, bool allow_private,
                           const FakeDns& dns, const FakeWire& wire,
                           const std::string& refused_code) {
  if (row.is_public || allow_private) {
    CHECK(out.success);
    REQUIRE(wire.addresses.size() == 1);
    CHECK(wire.addresses[0] == row.address);
  } else {
    CHECK_FALSE(out.success);
    CHECK(error_code(out) == refused_code);
    CHECK(wire.addresses.empty());
  }
  CHECK(dns.calls <= 1);
}

}  // namespace

TEST_CASE("the address table has every kind of address the policy must know", "[outbound]") {
  CHECK(kTable.size() >= 40);
  std::size_t pub = 0;
  for (const auto& row : kTable)
    pub += row.is_public ? 1 : 0;
  CHECK(pub >= 10);
  CHECK(kTable.size() - pub >= 40);
}

TEST_CASE("vet_target applies one policy to every spelling of an address", "[outbound]") {
  for (const auto& row : kTable) {
    INFO("host " << row.host);
    FakeDns dns;
    const auto url = "http://" + row.host + ":8080/hook?x=1";
    const auto vetted = vet_target(url, AddressPolicy::public_only, dns.resolver());
    if (row.is_public) {
      REQUIRE(std::holds_alternative<Vetted>(vetted));
      CHECK(std::get<Vetted>(vetted).address == row.address);
      CHECK(std::get<Vetted>(vetted).url.target == "/hook?x=1");
    } else {
      REQUIRE(std::holds_alternative<Refused>(vetted));
      const auto& r = std::get<Refused>(vetted);
      CHECK(r.reason == Refused::Reason::forbidden);
      CHECK_FALSE(r.range.empty());
      CHECK(r.message.find(r.range) != std::string::npos);
    }
    // Numeric hosts never reach the resolver; names reach it once.
    CHECK(dns.calls == (kNames.contains(row.host) ? 1 : 0));
    // Allow-private mode lets every address through, still resolved once, to the same address.
    FakeDns dns2;
    const auto open = vet_target(url, AddressPolicy::any, dns2.resolver());
    REQUIRE(std::holds_alternative<Vetted>(open));
    CHECK(std::get<Vetted>(open).address == row.address);
    CHECK(dns2.calls == dns.calls);
  }
}

TEST_CASE("names the policy refuses without asking the resolver, and URLs it cannot parse",
          "[outbound]") {
  FakeDns dns;
  for (const char* url : {"http://localhost/", "http://LOCALHOST./", "http://api.localhost:81/"}) {
    INFO(url);
    const auto v = vet_target(url, AddressPolicy::public_only, dns.resolver());
    REQUIRE(std::holds_alternative<Refused>(v));
    CHECK(std::get<Refused>(v).reason == Refused::Reason::forbidden);
  }
  CHECK(dns.calls == 0);
  for (const char* url :
       {"ftp://8.8.8.8/", "http://", "http://[::1/", "http://[not-v6]/", "http://user@8.8.8.8/",
        "http://8.8.8.8:0/", "http://8.8.8.8:65536/", "http://8.8.8.8:/", "http://8.8.8.8/a b",
        "http://8.8.8.8/\r\nX-Injected: 1", "http://[fe80::1%25eth0]/", "http://a%2fb/",
        "http://8.8.8.8/\x01"}) {
    INFO(url);
    const auto v = vet_target(url, AddressPolicy::any, dns.resolver());
    REQUIRE(std::holds_alternative<Refused>(v));
    CHECK(std::get<Refused>(v).reason == Refused::Reason::invalid_url);
  }
  const auto nx = vet_target("http://nxdomain.test/", AddressPolicy::public_only, dns.resolver());
  REQUIRE(std::holds_alternative<Refused>(nx));
  CHECK(std::get<Refused>(nx).reason == Refused::Reason::dns_failed);
  // 256.0.0.1 is not an address in any form: it is a name (and this one does not resolve).
  CHECK_FALSE(numeric_host("256.0.0.1"));
  CHECK_FALSE(numeric_host("1.2.3.4.5"));
  CHECK_FALSE(numeric_host("0x"));
  CHECK_FALSE(numeric_host("08.0.0.1"));  // 8 is not an octal digit
  CHECK(numeric_host("1.65535") == "1.0.255.255");
  CHECK(numeric_host("1.65536") == "1.1.0.0");
  CHECK(numeric_host("1.2.65535") == "1.2.255.255");
  CHECK_FALSE(numeric_host("1.2.65536"));
  CHECK_FALSE(numeric_host("1.16777216"));
  CHECK_FALSE(numeric_host("1.2.3.256"));
  CHECK_FALSE(numeric_host("4294967296"));
  CHECK(numeric_host("4294967295") == "255.255.255.255");
  CHECK(non_public_range("not-an-ip") == "not an IP address");
}

TEST_CASE("a resolver answer that is not an address is refused", "[outbound]") {
  const Resolver odd = [](const std::string&, int) { return ResolvedHost{{"127.1"}, ""}; };
  const auto v = vet_target("http://odd.test/", AddressPolicy::any, odd);
  REQUIRE(std::holds_alternative<Refused>(v));
  CHECK(std::get<Refused>(v).reason == Refused::Reason::dns_failed);
}

TEST_CASE("webhook executor: every table address, refused or sent to the checked address",
          "[outbound]") {
  for (const bool allow_private : {false, true}) {
    for (const auto& row : kTable) {
      INFO("host " << row.host << " allow_private " << allow_private);
      FakeDns dns;
      FakeWire wire;
      WebhookOptions o;
      o.allow_private = allow_private;
      o.outbound = {dns.resolver(), wire.transport()};
      WebhookExecutor exec(o);
      const auto out = exec.run(context(TaskType::custom, {{"url", "http://" + row.host + "/h"}}));
      check_sent_or_refused(out, row, allow_private, dns, wire, "WEBHOOK_TARGET_FORBIDDEN");
    }
  }
}

TEST_CASE("backup destination: every table address, refused or sent to the checked address",
          "[outbound]") {
  auto repo = std::make_shared<memory::MemoryRepository>();
  for (const bool allow_private : {false, true}) {
    for (const auto& row : kTable) {
      INFO("host " << row.host << " allow_private " << allow_private);
      FakeDns dns;
      FakeWire wire;
      executors::ProviderConfig c;
      c.allow_private_destinations = allow_private;
      c.outbound = {dns.resolver(), wire.transport()};
      auto exec = executors::make_backup_executor(c, repo, nullptr);
      const auto out = exec->run(
          context(TaskType::data_backup, {{"destination", "http://" + row.host + "/upload"}}));
      check_sent_or_refused(out, row, allow_private, dns, wire, "DESTINATION_REFUSED");
    }
  }
}

// Operator-configured services: the policy deliberately does not apply (they are internal hosts
// as a rule), but the one resolution is what is connected to, for every spelling.
TEST_CASE(
    "weather, news and price providers, calendar, notification and account: connected to "
    "the resolved address",
    "[outbound]") {
  for (const auto& row : kTable) {
    INFO("host " << row.host);
    const std::string base = "http://" + row.host + ":9000/api";
    {
      FakeDns dns;
      FakeWire wire;
      wire.body = R"({"location":"Berlin","temperature":20,"conditions":"sunny"})";
      executors::ProviderConfig c;
      c.weather_url = base;
      c.outbound = {dns.resolver(), wire.transport()};
      auto exec = executors::make_weather_executor(c, nullptr);
      const auto out = exec->run(context(TaskType::daily_weather, {{"location", "Berlin"}}));
      CHECK(out.success);
      REQUIRE(wire.addresses.size() == 1);
      CHECK(wire.addresses[0] == row.address);
      CHECK(dns.calls <= 1);
    }
    {
      FakeDns dns;
      FakeWire wire;
      wire.body = R"({"price":5,"articles":[]})";
      executors::ProviderConfig c;
      c.news_url = base;
      c.price_url = base;
      c.outbound = {dns.resolver(), wire.transport()};
      const auto news =
          executors::make_news_executor(c, nullptr)->run(context(TaskType::daily_news, {}));
      const auto price =
          executors::make_price_executor(c, nullptr)
              ->run(context(TaskType::price_tracker,
                            {{"product_url", "https://shop.example/p"}, {"target_price", 9}}));
      CHECK(news.success);
      CHECK(price.success);
      REQUIRE(wire.addresses.size() == 2);
      CHECK(wire.addresses[0] == row.address);
      CHECK(wire.addresses[1] == row.address);
    }
    {
      FakeDns dns;
      FakeWire wire;
      executors::ProviderConfig c;
      c.calendar_url = base;
      c.outbound = {dns.resolver(), wire.transport()};
      Task t = context(TaskType::calendar_event, {}).task;
      CHECK_NOTHROW(executors::make_calendar_client(c)->upsert_event(t));
      REQUIRE(wire.addresses.size() == 1);
      CHECK(wire.addresses[0] == row.address);
    }
    {
      FakeDns dns;
      FakeWire wire;
      HttpNotifier n(base, std::chrono::milliseconds(100), {dns.resolver(), wire.transport()});
      CHECK_NOTHROW(n.notify(Notification{"user-1", "tsk_1", "reminder", "t", "m", {}}));
      REQUIRE(wire.addresses.size() == 1);
      CHECK(wire.addresses[0] == row.address);
    }
    {
      FakeDns dns;
      FakeWire wire;
      wire.body = R"({"subscription_level":"pro"})";
      AccountDirectory a(base, std::chrono::seconds(1), std::chrono::milliseconds(100),
                         {dns.resolver(), wire.transport()});
      CHECK(a.level_of("user-1") == SubscriptionLevel::pro);
      REQUIRE(wire.addresses.size() == 1);
      CHECK(wire.addresses[0] == row.address);
    }
  }
}

TEST_CASE("the webhook executor refuses a method or header a stored config smuggles in",
          "[outbound]") {
  FakeDns dns;
  FakeWire wire;
  WebhookOptions o;
  o.outbound = {dns.resolver(), wire.transport()};
  WebhookExecutor exec(o);
  const std::vector<json::object> bad = {
      {{"url", "http://public.test/"}, {"method", "POST / HTTP/1.1\r\nX-Injected: 1\r\n\r\nGET"}},
      {{"url", "http://public.test/"}, {"method", "CONNECT"}},
      {{"url", "http://public.test/"}, {"method", 5}},
      {{"url", "http://public.test/"}, {"headers", {{"X-A", "v\r\nX-Injected: 1"}}}},
      {{"url", "http://public.test/"}, {"headers", {{"X-A", std::string("v\0w", 3)}}}},
      {{"url", "http://public.test/"}, {"headers", {{"X-A", "v\nw"}}}},
      {{"url", "http://public.test/"}, {"headers", {{"X A", "v"}}}},
      {{"url", "http://public.test/"}, {"headers", {{"X-A\r\nX-B", "v"}}}},
      {{"url", "http://public.test/"}, {"headers", {{"", "v"}}}},
      {{"url", "http://public.test/"}, {"headers", "X-A: v"}},
  };
  for (const auto& config : bad) {
    INFO(json::serialize(config));
    const auto out = exec.run(context(TaskType::custom, config));
    CHECK_FALSE(out.success);
    CHECK(error_code(out) == "WEBHOOK_INVALID_CONFIG");
  }
  CHECK(wire.addresses.empty());
  CHECK(dns.calls == 0);
  // Lower-case methods are fine and sent upper-case; tabs in values are allowed.
  std::string method;
  o.outbound.transport = [&](const Vetted&, const OutboundRequest& r, const Timeouts&) {
    method = r.method;
    return OutboundResponse{204, {}, {}, false, {}, false, {}};
  };
  WebhookExecutor ok(o);
  const auto out = ok.run(context(
      TaskType::custom,
      {{"url", "http://public.test/"}, {"method", "patch"}, {"headers", {{"X-A", "a\tb"}}}}));
  CHECK(out.success);
  CHECK(method == "PATCH");
}
