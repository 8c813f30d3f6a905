// The HTTP boundary with raw sockets: request heads as sent (no percent-decoding, no NUL cut,
// no repeated identity headers), framing (Content-Length / Transfer-Encoding), bounded chunked and
// compressed bodies, pipelining, half-close, slow clients, query strings and the metrics labels.
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "http_fixture.hpp"
#include "request_head.hpp"

namespace json = boost::json;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

test::ServerUnderTest& boundary_server() {
  static test::ServerUnderTest server;
  return server;
}

struct RawResponse {
  int status = 0;
  httplib::Headers headers;
  std::string body;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

/// A raw TCP client on 127.0.0.1.
class Raw {
 public:
  explicit Raw(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    timeval tv{5, 0};  // a send never blocks a test for long
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  }
  ~Raw() { ::close(fd_); }
  Raw(const Raw&) = delete;
  Raw& operator=(const Raw&) = delete;

  /// Sends everything; false when the server already closed.
  bool send(std::string_view bytes) {
    while (!bytes.empty()) {
      const auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }
  void half_close() { ::shutdown(fd_, SHUT_WR); }

  /// Reads until `n` responses are complete, the server closes, or `timeout` passes.
  std::vector<RawResponse> responses(std::size_t n, std::chrono::milliseconds timeout = 5s) {
    std::vector<RawResponse> out;
    const auto deadline = Clock::now() + timeout;
    while (out.size() < n) {
      if (auto r = parse_one()) {
        out.push_back(std::move(*r));
        continue;
      }
      if (!fill(deadline)) break;
    }
    return out;
  }
  RawResponse response(std::chrono::milliseconds timeout = 5s) {
    auto r = responses(1, timeout);
    REQUIRE(r.size() == 1);
    return r[0];
  }
  /// True when the server closes the connection (EOF or reset) within `timeout`.
  bool closed_by_server(std::chrono::milliseconds timeout = 3s) {
    const auto deadline = Clock::now() + timeout;
    while (fill(deadline)) {
    }
    return eof_;
  }

 private:
  bool fill(Clock::time_point deadline) {
    if (eof_) return false;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char buf[65536];
    const auto got = ::recv(fd_, buf, sizeof buf, 0);
    if (got <= 0) {
      eof_ = true;
      return false;
    }
    data_.append(buf, static_cast<std::size_t>(got));
    return true;
  }
  std::optional<RawResponse> parse_one() {
    const auto end = data_.find("\r\n\r\n");
    if (end == std::string::npos) return std::nullopt;
    RawResponse r;
    r.status = std::atoi(data_.c_str() + 9);
    std::size_t pos = data_.find("\r\n") + 2;
    while (pos < end) {
      const auto nl = data_.find("\r\n", pos);
      const auto line = data_.substr(pos, nl - pos);
      const auto colon = line.find(':');
      r.headers.emplace(line.substr(0, colon), line.substr(line.find_first_not_of(' ', colon + 1)));
      pos = nl + 2;
    }
    const auto length =
        std::stoul(r.headers.count("Content-Length") ? r.headers.find("Content-Length")->second
                                                     : std::string("0"));
    if (data_.size() < end + 4 + length) return std::nullopt;
    r.body = data_.substr(end + 4, length);
    data_.erase(0, end + 4 + length);
    return r;
  }

  int fd_ = -1;
  std::string data_;
  bool eof_ = false;
};

std::string detail_of(const RawResponse& r) {
  const auto v = json::parse(r.body);
  return v.at("detail").is_string() ? std::string(v.at("detail").as_string()) : "";
}

std::string get(const std::string& target, const std::string& extra_headers = "") {
  return "GET " + target + " HTTP/1.1\r\nHost: t\r\n" + extra_headers + "\r\n";
}

std::string post(const std::string& target, const std::string& body,
                 const std::string& extra_headers = "") {
  return "POST " + target + " HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n" +
         extra_headers + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::string todo_body(const std::string& name) {
  return json::serialize(json::object{{"name", name}, {"task_type", "todo"}});
}

/// One request on a fresh connection; the single response.
RawResponse once(const std::string& request) {
  Raw c(boundary_server().port());
  c.send(request);
  return c.response();
}

/// A refused head: `status`, `Connection: close`, and the server closes the connection.
void expect_refused(const std::string& request, int status, const std::string& detail_part = "") {
  INFO("request: " << request.substr(0, 200));
  Raw c(boundary_server().port());
  c.send(request);
  const auto r = c.response();
  CHECK(r.status == status);
  CHECK(r.header("Connection") == "close");
  if (!detail_part.empty()) CHECK_THAT(detail_of(r), Catch::Contains(detail_part));
  CHECK(c.closed_by_server());
}

std::string chunk_encode(const std::string& body, std::size_t piece) {
  std::string out;
  for (std::size_t i = 0; i < body.size(); i += piece) {
    const auto part = body.substr(i, piece);
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", part.size());
    out += size + part + "\r\n";
  }
  return out + "0\r\n\r\n";
}

}  // namespace

TEST_CASE("request head parsing rules", "[http][boundary]") {
  using task::server::check_request_head;
  using task::server::complete_head_length;
  CHECK(complete_head_length("GET / HTTP/1.1\r\nHost: a\r\n") == 0);
  CHECK(complete_head_length("GET / HTTP/1.1\r\nHost: a\r\n\r\nrest") == 27);
  CHECK(complete_head_length("GET / HTTP/1.1\r\n\r\n") == 18);
  const auto ok =
      check_request_head("POST / HTTP/1.1\r\nX-User-ID:  %61b \r\nContent-Length: 5\r\n\r\n");
  CHECK(ok.status == 0);
  CHECK(ok.headers.find("x-user-id")->second == "%61b");
  CHECK(ok.content_length == 5u);
  CHECK(check_request_head("GET / HTTP/1.1\r\nA: 1\r\nA: 2\r\n\r\n").status == 0);  // not identity
  CHECK(
      check_request_head("GET / HTTP/1.1\r\nAuthorization: a\r\nauthorization: b\r\n\r\n").status ==
      400);
  CHECK(check_request_head("GET / HTTP/1.1\r\nA: x\x7fy\r\n\r\n").status == 400);
  CHECK(check_request_head("GET / HTTP/1.1\r\nA: tab\there\r\n\r\n").status == 0);
  CHECK(check_request_head("GET / HTTP/1.1\r\nA: caf\xc3\xa9\r\n\r\n").status == 0);  // obs-text
  CHECK(check_request_head("GET / HTTP/1.1\r\nContent-Length: 018446744073709551616\r\n\r\n")
            .status == 400);
  CHECK(check_request_head("GET / HTTP/1.1\r\nContent-Encoding: GZIP\r\n\r\n")
            .headers.find("Content-Encoding")
            ->second == "gzip");
  CHECK(check_request_head("POST / HTTP/1.1\r\nContent-Type: multipart/form-data; b=x\r\n\r\n")
            .status == 415);
}

TEST_CASE("identity headers are read byte-for-byte as sent", "[http][boundary]") {
  const auto u = test::unique_user("lice-z");
  // Percent-encoded: the user is the literal text, not its decoding (cpp-httplib decodes).
  auto r = once(post("/api/v1/tasks", todo_body("pct"), "X-User-ID: %61" + u + "\r\n"));
  REQUIRE(r.status == 201);
  CHECK(json::value_to<std::string>(json::parse(r.body).at("user_id")) == "%61" + u);
  r = once(get("/api/v1/tasks", "X-User-ID: %61" + u + "\r\n"));
  REQUIRE(r.status == 200);
  CHECK(json::parse(r.body).at("total") == 1);
  r = once(get("/api/v1/tasks", "X-User-ID: a" + u + "\r\n"));
  REQUIRE(r.status == 200);
  CHECK(json::parse(r.body).at("total") == 0);

  // The internal secret must match as sent ("%74" is 't').
  const std::string internal = "X-Internal-Service: true\r\nX-Internal-Service-Secret: ";
  CHECK(once(get("/api/v1/service/stats", internal + "test-internal-secret\r\n")).status == 200);
  CHECK(once(get("/api/v1/service/stats", internal + "%74est-internal-secret\r\n")).status == 403);

  // NUL, CR and other control characters: 400, the connection closes.
  expect_refused(get("/api/v1/tasks", std::string("X-User-ID: al\0ice\r\n", 19)), 400,
                 "Control character in header X-User-ID");
  expect_refused(get("/api/v1/tasks", "X-User-ID: al\x01ice\r\n"), 400, "Control character");
  expect_refused(get("/api/v1/tasks", "X-User-ID: al\rice\r\n"), 400, "Control character");
  expect_refused(get("/api/v1/tasks", internal + "test-internal-secret\x1b\r\n"), 400);

  // Repeated identity headers: a gateway that appends its X-User-ID after the client's would
  // otherwise be overruled by the client's copy (cpp-httplib keeps the first).
  expect_refused(get("/api/v1/tasks", "X-User-ID: mallory\r\nX-User-ID: " + u + "\r\n"), 400,
                 "Repeated header X-User-ID");
  expect_refused(get("/api/v1/tasks", "X-User-ID: mallory\r\nx-user-id: " + u + "\r\n"), 400);
  expect_refused(get("/api/v1/tasks", "Authorization: Bearer a\r\nAuthorization: Bearer b\r\n"),
                 400);
  expect_refused(get("/api/v1/service/stats", internal + "a\r\n" + internal + "b\r\n"), 400);
}

TEST_CASE("framing: Content-Length, Transfer-Encoding and malformed heads", "[http][boundary]") {
  const auto u = test::unique_user("framing");
  const std::string user = "X-User-ID: " + u + "\r\n";
  const auto body = todo_body("cl");
  const auto cl = "Content-Length: " + std::to_string(body.size()) + "\r\n";
  // Two different Content-Length values: 400 (a proxy may frame by the other one).
  expect_refused(
      "POST /api/v1/tasks HTTP/1.1\r\nHost: t\r\n" + user + cl + "Content-Length: 3\r\n\r\n" + body,
      400, "Conflicting Content-Length");
  // The same value twice is one Content-Length.
  Raw same(boundary_server().port());
  same.send("POST /api/v1/tasks HTTP/1.1\r\nHost: t\r\n" + user + cl + cl + "\r\n" + body);
  CHECK(same.response().status == 201);
  for (const char* bad : {"12abc", "-1", "+5", " ", "0x10"})
    expect_refused(
        "POST /api/v1/tasks HTTP/1.1\r\nHost: t\r\n" + user + "Content-Length: " + bad + "\r\n\r\n",
        400);
  expect_refused("POST /api/v1/tasks HTTP/1.1\r\nHost: t\r\n" + user + cl +
                     "Transfer-Encoding: chunked\r\n\r\n" + chunk_encode(body, 10),
                 400, "Content-Length together with Transfer-Encoding");
  expect_refused(
      "POST /api/v1/tasks HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501);
  expect_refused("POST /api/v1/tasks HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: %63hunked\r\n\r\n",
                 501);
  expect_refused(
      "POST /api/v1/tasks HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"
      "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      400);
  // Whitespace before the colon, obsolete line folding, a bare LF line, no colon.
  expect_refused(get("/health", "X-User-ID : x\r\n"), 400, "Malformed header name");
  expect_refused(get("/health", "X-A: a\r\n  folded\r\n"), 400);
  expect_refused(get("/health", "X-A: a\nX-B: b\r\n"), 400, "CRLF");
  expect_refused(get("/health", "no colon here\r\n"), 400);
  expect_refused(get("/health", "Host: again\r\n"), 400, "Repeated header Host");
  // A head over 64 KiB: 431, no thread ever waited for it; complete or not.
  std::string many;
  for (int i = 0; i < 1000; ++i)
    many += "X-H" + std::to_string(i) + ": " + std::string(64, 'h') + "\r\n";
  for (const auto& request : {get("/health", many), "GET /health HTTP/1.1\r\n" + many}) {
    Raw c(boundary_server().port());
    c.send(request);
    const auto r = c.response();
    CHECK(r.status == 431);
    CHECK(c.closed_by_server());
  }
  // One header line over 8 KiB (cpp-httplib's limit): 400.
  expect_refused(get("/health", "X-Big: " + std::string(9000, 'b') + "\r\n"), 400);
  // Methods the API does not serve, and bodies on GET.
  expect_refused("PATCH /api/v1/tasks/x HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\n{}", 405);
  expect_refused("OPTIONS / HTTP/1.1\r\nHost: t\r\n\r\n", 405);
  expect_refused(get("/health", "Content-Length: 5\r\n") + "GET /", 400, "no request body");
  expect_refused("DELETE /api/v1/tasks/x HTTP/1.1\r\nHost: t\r\n" + user +
                     "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                 400);
  // After all that, the server still serves.
  CHECK(once(get("/health")).status == 200);
}

TEST_CASE("chunked and compressed bodies are bounded by the 1 MiB limit", "[http][boundary]") {
  const auto u = test::unique_user("bodies");
  const std::string user = "X-User-ID: " + u + "\r\n";
  const std::string chunked_head =
      "POST /api/v1/tasks HTTP/1.1\r\nHost: t\r\n" + user +
      "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
  // A chunked body under the limit is read.
  auto r = once(chunked_head + chunk_encode(todo_body("chunked"), 7));
  REQUIRE(r.status == 201);
  CHECK(json::parse(r.body).at("name") == "chunked");

  // Over the limit: 413 before authentication (no X-User-ID) and before reading it whole.
  const auto big =
      R"({"name":"x","task_type":"todo","description":")" + std::string(1100 * 1024, 'a') + "\"}";
  for (const auto& who : {user, std::string()}) {
    Raw c(boundary_server().port());
    c.send("POST /api/v1/tasks HTTP/1.1\r\nHost: t\r\n" + who +
           "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
           chunk_encode(big, 64 * 1024));
    const auto resp = c.response();
    CHECK(resp.status == 413);
    CHECK(detail_of(resp) == "Request body too large");
  }
  // An endless chunked body without X-User-ID: 413 after about 1 MiB; the server stops reading.
  {
    Raw c(boundary_server().port());
    c.send("POST /api/v1/tasks HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n");
    const std::string piece = "10000\r\n" + std::string(0x10000, 'x') + "\r\n";
    std::size_t sent = 0;
    for (int i = 0; i < 2048 && c.send(piece); ++i)  // at most 128 MiB
      sent += piece.size();
    CHECK(sent < (32u << 20));  // the server closed long before 128 MiB
    const auto got = c.responses(1, 2s);
    if (!got.empty()) CHECK(got[0].status == 413);
  }

  // gzip: a small body is decoded; one inflating past the limit is 413 without inflating it all.
  auto c = boundary_server().client();
  c.set_compress(true);
  auto res = c.Post("/api/v1/tasks", {{"X-User-ID", u}}, todo_body("gzip"), "application/json");
  REQUIRE(res);
  REQUIRE(res->status == 201);
  CHECK(test::body_json(res).at("name") == "gzip");
  const auto started = Clock::now();
  res = c.Post("/api/v1/tasks", std::string(64u << 20, ' '), "application/json");  // ~64 KiB gzip
  REQUIRE(res);
  CHECK(res->status == 413);
  CHECK(Clock::now() - started < 5s);
  expect_refused(
      "POST /api/v1/tasks HTTP/1.1\r\nHost: t\r\nContent-Encoding: compress\r\n"
      "Content-Length: 2\r\n\r\n{}",
      415, "Content-Encoding");

  // A body sent to an unknown path: 404 without reading it; the connection closes.
  Raw unknown(boundary_server().port());
  unknown.send("POST /nowhere HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n");
  const auto nf = unknown.response();
  CHECK(nf.status == 404);
  CHECK(unknown.closed_by_server());
}

TEST_CASE("pipelined requests are all answered, in order", "[http][boundary]") {
  Raw c(boundary_server().port());
  std::string burst;
  for (int i = 0; i < 10; ++i)
    burst += get("/health", "X-Request-ID: pipe-" + std::to_string(i) + "\r\n");
  c.send(burst);
  const auto rs = c.responses(10);
  REQUIRE(rs.size() == 10);
  for (int i = 0; i < 10; ++i) {
    CHECK(rs[static_cast<std::size_t>(i)].status == 200);
    CHECK(rs[static_cast<std::size_t>(i)].header("X-Request-ID") == "pipe-" + std::to_string(i));
  }
  // Bodies in the burst: create, then list, then a chunked create, on one connection.
  const auto u = test::unique_user("pipe");
  const std::string user = "X-User-ID: " + u + "\r\n";
  c.send(post("/api/v1/tasks", todo_body("p1"), user) + get("/api/v1/tasks", user) +
         "POST /api/v1/tasks HTTP/1.1\r\nHost: t\r\n" + user +
         "Transfer-Encoding: chunked\r\n\r\n" + chunk_encode(todo_body("p2"), 5) +
         get("/api/v1/tasks", user));
  const auto more = c.responses(4);
  REQUIRE(more.size() == 4);
  CHECK(more[0].status == 201);
  CHECK(json::parse(more[1].body).at("total") == 1);
  CHECK(more[2].status == 201);
  CHECK(json::parse(more[3].body).at("total") == 2);
}

TEST_CASE("a client that half-closes after its request gets the answer", "[http][boundary]") {
  int answered = 0;
  for (int i = 0; i < 40; ++i) {
    Raw c(boundary_server().port());
    c.send(get("/health"));
    c.half_close();
    const auto rs = c.responses(1, 3s);
    answered += rs.size() == 1 && rs[0].status == 200 ? 1 : 0;
    CHECK(c.closed_by_server());
  }
  CHECK(answered == 40);
}

TEST_CASE("query values with control characters are 422", "[http][boundary]") {
  const auto u = test::unique_user("query");
  const std::string user = "X-User-ID: " + u + "\r\n";
  REQUIRE(once(post("/api/v1/tasks", todo_body("findme"), user)).status == 201);
  for (const char* q : {"%00", "a%00", "%0A", "%0d", "%7F"}) {
    INFO(q);
    const auto r = once(get(std::string("/api/v1/tasks?q=") + q, user));
    REQUIRE(r.status == 422);
    CHECK(json::parse(r.body).at("detail").at(0).at("loc") == json::parse(R"(["query","q"])"));
  }
  auto r = once(get("/api/v1/tasks?q=findme", user));
  REQUIRE(r.status == 200);
  CHECK(json::parse(r.body).at("total") == 1);
  r = once(get("/api/v1/tasks?q=nomatch", user));
  CHECK(json::parse(r.body).at("total") == 0);
}

TEST_CASE("metrics: a client's method text never becomes a label", "[http][boundary]") {
  for (const char* m : {"FOO", "G3T", "BREW"}) {
    Raw c(boundary_server().port());
    c.send(std::string(m) + " /health HTTP/1.1\r\nHost: t\r\n\r\n");
    CHECK(c.response().status == 400);
  }
  const auto r = once(get("/metrics"));
  REQUIRE(r.status == 200);
  CHECK_THAT(r.body, Catch::Contains("method=\"other\""));
  CHECK_THAT(r.body, !Catch::Contains("FOO") && !Catch::Contains("BREW"));
}

TEST_CASE("slow clients: 100 slowloris connections do not delay a normal request",
          "[http][boundary]") {
  task::server::ServerOptions options;
  options.threads = 4;  // fewer HTTP threads than slow clients by far
  options.head_timeout = 1500ms;
  options.body_timeout = 1000ms;
  test::ServerUnderTest server({}, options);
  std::vector<std::unique_ptr<Raw>> slow;
  for (int i = 0; i < 100; ++i) {
    slow.push_back(std::make_unique<Raw>(server.port()));
    slow.back()->send("GET /health HTTP/1.1\r\nX-Slow: ");
  }
  // A slow body holds a thread only until the body timeout.
  Raw slow_body(server.port());
  slow_body.send("POST /api/v1/tasks HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n{");
  const auto started = Clock::now();
  auto worst = Clock::duration::zero();
  for (int round = 0; round < 5; ++round) {
    for (auto& s : slow)
      s->send("x");
    const auto t0 = Clock::now();
    Raw c(server.port());
    c.send(get("/health"));
    const auto r = c.response(2s);
    CHECK(r.status == 200);
    worst = std::max(worst, Clock::now() - t0);
    std::this_thread::sleep_for(100ms);
  }
  INFO("slowest normal request: "
       << std::chrono::duration_cast<std::chrono::milliseconds>(worst).count() << " ms");
  CHECK(worst < 500ms);
  // Every slow connection is answered 408 and closed once its head timeout passes.
  int dropped = 0;
  for (auto& s : slow) {
    const auto rs = s->responses(1, 3s);
    dropped += (rs.size() == 1 && rs[0].status == 408 && s->closed_by_server(1s)) ? 1 : 0;
  }
  CHECK(dropped == 100);
  CHECK(Clock::now() - started < 5s);
  const auto body_timeout = slow_body.responses(1, 2s);
  REQUIRE(body_timeout.size() == 1);
  CHECK(body_timeout[0].status == 408);
  auto c = server.client();
  const auto metrics = c.Get("/metrics");
  REQUIRE(metrics);
  CHECK_THAT(metrics->body,
             Catch::Contains("task_http_connections_dropped_total{reason=\"head_timeout\"} 100\n"));
  CHECK_THAT(metrics->body, Catch::Contains("task_http_connections_waiting "));
}

TEST_CASE("a declared Content-Length over the hard cap is 413 before any body byte",
          "[http][boundary]") {
  Raw c(boundary_server().port());
  c.send("POST /api/v1/tasks HTTP/1.1\r\nHost: t\r\nContent-Length: 9437184\r\n\r\n");
  const auto r = c.response(2s);
  CHECK(r.status == 413);
  CHECK(r.header("Connection") == "close");
}

TEST_CASE("no secret appears in /metrics, /health/detailed or /openapi.json", "[http][boundary]") {
  test::ServerUnderTest server(std::map<std::string, std::string>{
      {"jwt-secret", "jwt-secret-6f1d2a"}, {"internal-secret", "internal-secret-93be7c"}});
  auto c = server.client();
  for (const char* path : {"/metrics", "/health/detailed", "/openapi.json", "/health"}) {
    INFO(path);
    const auto r = c.Get(path);
    REQUIRE(r);
    CHECK((r->status == 200 || r->status == 503));
    CHECK_THAT(r->body, !Catch::Contains("6f1d2a") && !Catch::Contains("93be7c"));
  }
}
