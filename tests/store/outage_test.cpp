// A private PostgreSQL is stopped under a live repository: calls fail fast with
// task::Unavailable (no crash, no hang) and the repository recovers once the server is back.
// Run with `TASK_STORE_BACKEND=none store_tests "[.outage]"` (ctest: store_pg_outage).
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>

#include "helpers.hpp"
#include "support/temp_dir.hpp"
#include "task/core/errors.hpp"
#include "task/store/store.hpp"

using namespace task;
using namespace task::test;

namespace {

/// A throw-away PostgreSQL 15 cluster on loopback (initdb + pg_ctl, as user postgres when root).
class PrivatePostgres {
 public:
  explicit PrivatePostgres(int port) : port_(port) {
    if (::geteuid() == 0) {
      runas_ = "runuser -u postgres -- ";
      sh("chown postgres " + dir_);
    }
    sh(runas_ + kBin + "initdb -D " + dir_ + "/pg -U app --auth=trust -E UTF8 --locale=C.UTF-8 >" +
       dir_ + "/initdb.log 2>&1");
    start();
    sh("createdb -h 127.0.0.1 -p " + std::to_string(port_) + " -U app taskdb");
  }
  ~PrivatePostgres() {
    std::system(
        (runas_ + kBin + "pg_ctl -D " + dir_ + "/pg -m immediate -w stop >/dev/null 2>&1").c_str());
  }  // then tmp_ removes the cluster
  void start() {
    sh(runas_ + kBin + "pg_ctl -D " + dir_ + "/pg -l " + dir_ + "/pg.log -w -t 30 -o \"" +
       "-c listen_addresses=127.0.0.1 -p " + std::to_string(port_) +
       " -c unix_socket_directories=" + dir_ + " -c fsync=off\" start >/dev/null");
  }
  void stop() { sh(runas_ + kBin + "pg_ctl -D " + dir_ + "/pg -m fast -w -t 30 stop >/dev/null"); }
  std::string url() const {
    return "postgresql://app@127.0.0.1:" + std::to_string(port_) + "/taskdb";
  }

 private:
  static void sh(const std::string& cmd) {
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("failed: " + cmd);
  }
  static constexpr const char* kBin = "/usr/lib/postgresql/15/bin/";
  int port_;
  task::testing::TempDir tmp_{"task_outage"};
  const std::string& dir_ = tmp_.path;
  std::string runas_;
};

int outage_port() {
  const char* p = std::getenv("TASK_OUTAGE_PG_PORT");
  return p ? std::atoi(p) : 55541;
}

}  // namespace

TEST_CASE("a stopped PostgreSQL surfaces as Unavailable and the repository recovers", "[.outage]") {
  PrivatePostgres pg(outage_port());
  task::store::StoreOptions options;
  options.pool_size = 2;
  auto repo = task::store::open_repository(pg.url(), options);
  Task t = make_task("u", 1);
  repo->insert_task(t, {});
  REQUIRE(repo->find_task(t.task_id));

  pg.stop();
  for (int i = 0; i < 3; ++i) {  // every pooled session, and repeated calls
    const auto start = std::chrono::steady_clock::now();
    CHECK_THROWS_AS(repo->find_task(t.task_id), Unavailable);
    CHECK_THROWS_AS(repo->ping(), Unavailable);
    CHECK_THROWS_AS(repo->modify_task(t.task_id,
                                      [](const Task& cur) -> std::optional<Change> {
                                        Change c;
                                        c.task = cur;
                                        return c;
                                      }),
                    Unavailable);
    const auto took = std::chrono::steady_clock::now() - start;
    INFO("round " << i << " took "
                  << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms");
    CHECK(took < std::chrono::seconds(15));
  }

  pg.start();
  CHECK_NOTHROW(repo->ping());
  auto found = repo->find_task(t.task_id);
  REQUIRE(found);
  CHECK(found->task_id == t.task_id);
  Task t2 = make_task("u", 2);
  CHECK_NOTHROW(repo->insert_task(t2, {}));
  CHECK(count_user_tasks(*repo, "u") == 2);
}
