// Statements prepared once per pooled connection and run again (libtask/store/src/sql_exec.cpp):
// every run binds the new values, sees what other connections committed, and a statement that
// failed between rows leaves its connection usable. Plus the statement latency histogram.
#include <catch2/catch.hpp>

#include "backend.hpp"
#include "helpers.hpp"
#include "task/codec/json_numbers.hpp"
#include "task/core/errors.hpp"
#include "task/store/statement_latency.hpp"

using namespace task;
using namespace task::test;

namespace {

std::uint64_t statements_of(const std::string& verb, const std::string& table) {
  for (const auto& h : task::store::statement_latency())
    if (h.verb == verb && h.table == table) return h.count;
  return 0;
}

}  // namespace

TEST_CASE("prepared statements: a statement run again binds new values and sees new data",
          "[prepared]") {
  Fixture f;
  task::store::StoreOptions one;
  one.pool_size = 1;  // every call below runs on the same connection, so on the same statements
  auto reader = f.open_another(one);
  auto writer = f.open_another(one);
  const SubscriptionLevel levels[] = {SubscriptionLevel::basic, SubscriptionLevel::pro,
                                      SubscriptionLevel::enterprise, SubscriptionLevel::free};
  for (int i = 0; i < 8; ++i) {
    const auto level = levels[i % 4];
    writer->set_user_level("alice", level, Timestamp{});
    writer->set_user_level("bob", levels[(i + 1) % 4], Timestamp{});
    // Same SQL text, alternating values: a reused statement must not answer the previous value.
    CHECK(reader->find_user_level("alice") == level);
    CHECK(reader->find_user_level("bob") == levels[(i + 1) % 4]);
    CHECK_FALSE(reader->find_user_level("carol").has_value());
  }
}

TEST_CASE("prepared statements: a statement that failed between rows leaves the connection usable",
          "[prepared]") {
  Fixture f;
  if (!f.sql()) return;  // task::memory keeps values, not text: nothing to corrupt
  task::store::StoreOptions one;
  one.pool_size = 1;
  auto repo = f.open_another(one);
  auto other = f.open_another(one);
  Task bad = make_task("mallory", 1);
  repo->insert_task(bad, {});
  // Unreadable for the row decoder: too deep for the JSON reader (jsonb holds any nesting),
  // or not JSON (SQLite stores the text).
  const std::size_t n = kMaxStoredJsonDepth + 6;
  const std::string config =
      f.postgres() ? "'{\"x\":" + std::string(n, '[') + std::string(n, ']') + "}'::jsonb"
                   : std::string("'{\"x\":Infinity'");
  f.execute_sql("UPDATE {t}user_tasks SET config = " + config + " WHERE task_id = '" + bad.task_id +
                "'");
  // Reading the damaged row throws while its row is decoded, several times (so the prepared path).
  for (int i = 0; i < 3; ++i)
    CHECK_THROWS(repo->find_task(bad.task_id));
  // Another connection commits; this connection sees it (no read snapshot left open) and writes.
  other->set_user_level("mallory", SubscriptionLevel::pro, Timestamp{});
  CHECK(repo->find_user_level("mallory") == SubscriptionLevel::pro);
  Task good = make_task("mallory", 2);
  repo->insert_task(good, {});
  other->set_user_level("mallory", SubscriptionLevel::enterprise, Timestamp{});
  CHECK(repo->find_user_level("mallory") == SubscriptionLevel::enterprise);
  REQUIRE(other->find_task(good.task_id).has_value());
}

TEST_CASE("statement latency: every SQL statement is counted under its verb and table",
          "[prepared][latency]") {
  Fixture f;
  if (!f.sql()) return;  // task::memory runs no SQL
  const auto selects = statements_of("select", "user_levels");
  const auto inserts = statements_of("insert", "user_levels");
  for (int i = 0; i < 5; ++i) {
    f.repo().set_user_level("dave", SubscriptionLevel::pro, Timestamp{});
    CHECK(f.repo().find_user_level("dave") == SubscriptionLevel::pro);
  }
  CHECK(statements_of("select", "user_levels") >= selects + 5);
  CHECK(statements_of("insert", "user_levels") >= inserts + 5);
  for (const auto& h : task::store::statement_latency()) {
    INFO(h.verb << " " << h.table);
    CHECK(h.table.find('.') == std::string::npos);  // no schema prefix
    for (std::size_t i = 1; i < h.buckets.size(); ++i)
      CHECK(h.buckets[i - 1] <= h.buckets[i]);  // cumulative
    CHECK(h.buckets.back() <= h.count);
  }
}
