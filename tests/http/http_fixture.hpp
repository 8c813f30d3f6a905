#pragma once
// The server under test: a Runtime + HttpServer on 127.0.0.1 and an ephemeral port, and a
// client with helpers. Storage: TASK_TEST_DATABASE_URL, else a fresh SQLite file.
#include <httplib.h>

#include <boost/json.hpp>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "server.hpp"
#include "task/runtime/runtime.hpp"

namespace test {

/// A running server; stops and joins on destruction.
class ServerUnderTest {
 public:
  /// `flags`: task-server settings by key (database-url defaults as described above).
  /// `options`: the HTTP layer's tunables (limits, timeouts).
  explicit ServerUnderTest(std::map<std::string, std::string> flags = {},
                           task::server::ServerOptions options = {});
  ~ServerUnderTest();
  int port() const { return port_; }
  task::server::HttpServer& http() { return *server_; }
  task::runtime::Runtime& runtime() { return *runtime_; }

  /// A fresh client on this server.
  httplib::Client client() const;

 private:
  std::unique_ptr<task::runtime::Runtime> runtime_;
  std::unique_ptr<task::server::HttpServer> server_;
  std::thread thread_;
  int port_ = -1;
};

/// The database URL the tests use (TASK_TEST_DATABASE_URL or a temp SQLite file).
std::string test_database_url();

/// A user id unique to this test run (so a shared PostgreSQL database needs no wiping).
std::string unique_user(const std::string& name);

/// The gateway-mode identity header of `user`.
inline httplib::Headers as_user(const std::string& user) {
  return {{"X-User-ID", user}};
}

/// Parses a response body; fails the test when it is not JSON.
boost::json::value body_json(const httplib::Result& r);

/// The server of these task-server flags, started on first use: one per set of flags, shared by
/// the test files of the binary (they tell their data apart by unique_user).
ServerUnderTest& shared_server(const std::map<std::string, std::string>& flags);

/// The shared server whose callers get subscription level `tier` by default (default-tier).
inline ServerUnderTest& tier_server(const std::string& tier) {
  return shared_server({{"default-tier", tier}});
}

/// The shared pro-tier server whose webhooks may call the tests' loopback stubs.
inline ServerUnderTest& webhook_server() {
  return shared_server({{"webhook-allow-private", "on"}, {"default-tier", "pro"}});
}

/// POSTs `body` to /api/v1/tasks as `user`; fails the test unless it answers 201. The task.
boost::json::value create_task(httplib::Client& c, const std::string& user,
                               const std::string& body);

/// create_task's task_id.
std::string create_task_id(httplib::Client& c, const std::string& user, const std::string& body);

/// Creates a custom task `name` of `user` whose runs call the webhook `url`; its task_id.
std::string create_webhook_task(httplib::Client& c, const std::string& user,
                                const std::string& name, const std::string& url);

/// An HS256 JWT with the given claims (libjwt).
std::string make_hs256(const std::string& secret, const boost::json::object& claims);

}  // namespace test
