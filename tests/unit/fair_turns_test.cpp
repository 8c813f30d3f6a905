// The fair claim order and the TASK_USER_CONCURRENCY syntax (task/rules/fair_turns.hpp).
#include "task/rules/fair_turns.hpp"

#include <catch2/catch.hpp>
#include <map>
#include <stdexcept>

#include "task/runtime/config.hpp"

using namespace task;

namespace {

Task due(std::int64_t id, const std::string& user, std::int64_t slot_s,
         Priority p = Priority::medium) {
  Task t;
  t.id = id;
  t.task_id = "t" + std::to_string(id);
  t.user_id = user;
  t.priority = p;
  t.next_run_time = Timestamp{} + std::chrono::seconds(slot_s);
  return t;
}

std::vector<std::int64_t> order_of(const std::vector<Task>& tasks, std::size_t limit,
                                   const std::map<std::string, int>& rooms = {}) {
  std::vector<const Task*> in;
  for (const auto& t : tasks)
    in.push_back(&t);
  std::vector<std::int64_t> out;
  for (const Task* t : fair_turn_order(in, limit, [&](std::string_view u) -> std::optional<int> {
         const auto it = rooms.find(std::string(u));
         if (it == rooms.end()) return std::nullopt;
         return it->second;
       }))
    out.push_back(t->id);
  return out;
}

}  // namespace

TEST_CASE("fair_turn_order: every user's first turn before anyone's second", "[fair]") {
  std::vector<Task> tasks;
  for (int i = 1; i <= 1000; ++i)
    tasks.push_back(due(i, "a", i));  // a's slots are the oldest
  for (int u = 0; u < 10; ++u)
    tasks.push_back(due(2000 + u, "s" + std::to_string(u), 5000 + u));
  const auto got = order_of(tasks, 16);
  REQUIRE(got.size() == 16);
  CHECK(got[0] == 1);
  for (int u = 0; u < 10; ++u)
    CHECK(got[static_cast<std::size_t>(1 + u)] == 2000 + u);
  CHECK(got[11] == 2);
  CHECK(got[15] == 6);
}

TEST_CASE("fair_turn_order: priority first, then turn, then slot, then row id", "[fair]") {
  const std::vector<Task> tasks = {
      due(1, "a", 1, Priority::low),    due(2, "a", 2, Priority::high),
      due(3, "a", 3, Priority::high),   due(4, "b", 4, Priority::high),
      due(5, "b", 5, Priority::low),    due(6, "c", 0, Priority::low),
      due(8, "d", 7, Priority::urgent), due(7, "d", 7, Priority::urgent),
  };
  CHECK(order_of(tasks, 100) == std::vector<std::int64_t>{7, 8, 2, 4, 3, 6, 1, 5});
  CHECK(order_of(tasks, 3) == std::vector<std::int64_t>{7, 8, 2});
  CHECK(order_of(tasks, 0).empty());
}

TEST_CASE("fair_turn_order: the room cuts a user's tasks, highest priority kept", "[fair]") {
  const std::vector<Task> tasks = {
      due(1, "a", 1, Priority::low),
      due(2, "a", 2, Priority::high),
      due(3, "a", 3),
      due(4, "b", 4),
      due(5, "b", 5),
      due(6, "c", 6),
  };
  // a: room 2 keeps its high and its medium task; b: room 0 (at the limit); c: no limit.
  CHECK(order_of(tasks, 100, {{"a", 2}, {"b", 0}}) == std::vector<std::int64_t>{2, 3, 6});
  CHECK(order_of(tasks, 100, {{"a", -3}, {"b", 1}}) == std::vector<std::int64_t>{4, 6});
}

TEST_CASE("parse_user_concurrency: pairs, one number, off, and clear errors", "[fair][config]") {
  const auto def = parse_user_concurrency("free=1,basic=2,pro=4,enterprise=16");
  CHECK(def.enabled);
  CHECK(def.limit == std::array<int, 4>{1, 2, 4, 16});
  CHECK(def.limit == ClaimFairness{}.limit);
  const auto some = parse_user_concurrency(" pro = 8 , free=3");
  CHECK(some.limit == std::array<int, 4>{3, 2, 8, 16});
  CHECK(parse_user_concurrency("5").limit == std::array<int, 4>{5, 5, 5, 5});
  const auto unlimited = parse_user_concurrency("0");
  CHECK(unlimited.enabled);
  CHECK_FALSE(unlimited.limit_of(SubscriptionLevel::pro));
  CHECK(parse_user_concurrency("enterprise=0").limit_of(SubscriptionLevel::free) == 1);
  CHECK_FALSE(parse_user_concurrency("enterprise=0").limit_of(SubscriptionLevel::enterprise));
  CHECK_FALSE(parse_user_concurrency("off").enabled);
  for (const char* bad : {"", "gold=3", "free=", "free=-1", "free=x", "free", "1,2",
                          "free=1;basic=2", "100001", "pro=2.5"}) {
    INFO(bad);
    CHECK_THROWS_AS(parse_user_concurrency(bad), std::invalid_argument);
  }
  try {
    parse_user_concurrency("gold=3");
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()) ==
          "--user-concurrency: 'gold' is not one of free, basic, pro, enterprise");
  }
}

TEST_CASE("TASK_USER_CONCURRENCY reaches the configuration; a bad value stops the start",
          "[fair][config]") {
  auto env = [](std::map<std::string, std::string> m) {
    return [m](const std::string& k) -> std::optional<std::string> {
      const auto it = m.find(k);
      if (it == m.end()) return std::nullopt;
      return it->second;
    };
  };
  CHECK(task::runtime::resolve_config({}, env({})).user_concurrency.limit ==
        std::array<int, 4>{1, 2, 4, 16});
  const auto c = task::runtime::resolve_config({}, env({{"TASK_USER_CONCURRENCY", "pro=9"}}));
  CHECK(c.user_concurrency.limit == std::array<int, 4>{1, 2, 9, 16});
  CHECK(c.values.at("user-concurrency") == "pro=9");
  CHECK_FALSE(task::runtime::resolve_config({{"user-concurrency", "off"}}, env({}))
                  .user_concurrency.enabled);
  CHECK_THROWS_WITH(task::runtime::resolve_config({}, env({{"TASK_USER_CONCURRENCY", "pro=lots"}})),
                    "--user-concurrency: pro 'lots' is not a number from 0 to 100000");
}
