// Conformance suite: Idempotency-Key records (IdempotencyStore) on memory, SQLite, PostgreSQL.
#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "backend.hpp"
#include "helpers.hpp"

using namespace task;
using namespace task::test;

namespace {

IdempotencyRecord candidate(const std::string& user, const std::string& key,
                            const std::string& hash, const std::string& owner, Timestamp now,
                            std::int64_t lease_us = 60 * kSec) {
  IdempotencyRecord r;
  r.user_id = user;
  r.key = key;
  r.request_hash = hash;
  r.owner = owner;
  r.created_at = now;
  r.expires_at = now + std::chrono::microseconds(lease_us);
  return r;
}

/// The claim begin_idempotent gives user "u"'s request at `now`.
IdempotencyClaim claim_of(IdempotencyStore& r, const std::string& key, const std::string& hash,
                          const std::string& owner, Timestamp now,
                          std::int64_t lease_us = 60 * kSec) {
  return r.begin_idempotent(candidate("u", key, hash, owner, now, lease_us), now).claim;
}

constexpr std::int64_t kDay = 24LL * 3600 * kSec;

}  // namespace

TEST_CASE("idempotency: claim, in progress, complete, replay, mismatch", "[idempotency]") {
  Fixture f;
  auto& r = f.repo();
  const auto now = at(0);
  auto first = r.begin_idempotent(candidate("u", "k1", "h1", "o1", now), now);
  CHECK(first.claim == IdempotencyClaim::claimed);
  CHECK(first.record.owner == "o1");

  // The same request again while the first runs: in progress; another body: mismatch.
  auto again = r.begin_idempotent(candidate("u", "k1", "h1", "o2", now + std::chrono::seconds(1)),
                                  now + std::chrono::seconds(1));
  CHECK(again.claim == IdempotencyClaim::in_progress);
  CHECK(again.record.owner == "o1");
  CHECK(claim_of(r, "k1", "h2", "o3", now) == IdempotencyClaim::mismatch);

  // Only the owner completes it.
  CHECK_FALSE(
      r.complete_idempotent("u", "k1", "o2", 201, "{}", "{}", now + std::chrono::hours(24)));
  const std::string body = "{\"name\":\"caf\xc3\xa9 \\u0000 \\\"q\\\"\",\"n\":1.50}";
  REQUIRE(r.complete_idempotent("u", "k1", "o1", 201, body, R"({"ETag":"\"v1\""})",
                                now + std::chrono::hours(24)));
  // A repeated completion by the owner (a retried call) still reports success.
  CHECK(r.complete_idempotent("u", "k1", "o1", 201, body, R"({"ETag":"\"v1\""})",
                              now + std::chrono::hours(24)));

  auto replay = r.begin_idempotent(candidate("u", "k1", "h1", "o4", now + std::chrono::hours(23)),
                                   now + std::chrono::hours(23));
  REQUIRE(replay.claim == IdempotencyClaim::completed);
  CHECK(replay.record.status == 201);
  CHECK(replay.record.body == body);  // byte for byte
  CHECK(replay.record.headers == R"({"ETag":"\"v1\""})");
  CHECK(replay.record.created_at == now);
  CHECK(claim_of(r, "k1", "h2", "o5", now) == IdempotencyClaim::mismatch);

  // Another caller with the same key is independent.
  CHECK(r.begin_idempotent(candidate("v", "k1", "h2", "o6", now), now).claim ==
        IdempotencyClaim::claimed);

  // After 24 h the key is free again (and a new body is fine).
  const auto later = now + std::chrono::hours(24);
  auto fresh = r.begin_idempotent(candidate("u", "k1", "h2", "o7", later), later);
  CHECK(fresh.claim == IdempotencyClaim::claimed);
  CHECK(fresh.record.request_hash == "h2");
  auto stored = r.find_idempotency("u", "k1");
  REQUIRE(stored);
  CHECK_FALSE(stored->completed);
  CHECK(stored->owner == "o7");
  CHECK(stored->body.empty());
}

TEST_CASE("idempotency: an expired lease is taken over; release frees the key", "[idempotency]") {
  Fixture f;
  auto& r = f.repo();
  const auto now = at(0);
  REQUIRE(claim_of(r, "k", "h", "dead", now, 5 * kSec) == IdempotencyClaim::claimed);
  const auto before = now + std::chrono::seconds(4);
  CHECK(claim_of(r, "k", "h", "b", before) == IdempotencyClaim::in_progress);
  const auto after = now + std::chrono::seconds(5);
  REQUIRE(claim_of(r, "k", "h", "b", after) == IdempotencyClaim::claimed);
  // The dead owner can neither complete nor release the record it lost.
  CHECK_FALSE(
      r.complete_idempotent("u", "k", "dead", 201, "x", "{}", after + std::chrono::hours(24)));
  r.release_idempotent("u", "k", "dead");
  REQUIRE(r.find_idempotency("u", "k"));
  CHECK(r.find_idempotency("u", "k")->owner == "b");
  // Its owner releases it: the next request runs.
  r.release_idempotent("u", "k", "b");
  CHECK_FALSE(r.find_idempotency("u", "k"));
  CHECK(claim_of(r, "k", "h2", "c", after) == IdempotencyClaim::claimed);
  // A completed record is not released.
  REQUIRE(r.complete_idempotent("u", "k", "c", 200, "{}", "{}", after + std::chrono::hours(24)));
  r.release_idempotent("u", "k", "c");
  CHECK(r.find_idempotency("u", "k"));
}

TEST_CASE("idempotency: expired records are pruned in batches", "[idempotency]") {
  Fixture f;
  auto& r = f.repo();
  const auto now = at(0);
  for (int i = 0; i < 7; ++i) {
    const auto key = "old" + std::to_string(i);
    REQUIRE(claim_of(r, key, "h", "o", now) == IdempotencyClaim::claimed);
    REQUIRE(r.complete_idempotent("u", key, "o", 201, "{}", "{}", now + std::chrono::hours(24)));
  }
  REQUIRE(claim_of(r, "lease", "h", "o", now, 10 * kSec) == IdempotencyClaim::claimed);
  const auto young = now + std::chrono::hours(1);
  REQUIRE(claim_of(r, "young", "h", "o", young) == IdempotencyClaim::claimed);
  REQUIRE(
      r.complete_idempotent("u", "young", "o", 201, "{}", "{}", young + std::chrono::hours(24)));

  CHECK(r.prune_idempotency(now + std::chrono::seconds(9), 100) == 0);
  const auto day = now + std::chrono::microseconds(kDay);
  CHECK(r.prune_idempotency(day, 3) == 3);
  CHECK(r.prune_idempotency(day, 3) == 3);
  CHECK(r.prune_idempotency(day, 3) == 2);  // the last old one and the expired lease
  CHECK(r.prune_idempotency(day, 3) == 0);
  CHECK_FALSE(r.find_idempotency("u", "old0"));
  CHECK_FALSE(r.find_idempotency("u", "lease"));
  CHECK(r.find_idempotency("u", "young"));
}

TEST_CASE("idempotency: of racing claims on one key exactly one wins, across connections",
          "[idempotency]") {
  Fixture f;
  constexpr int kThreads = 8;
  std::vector<std::shared_ptr<TaskRepository>> repos;
  for (int i = 0; i < kThreads; ++i)
    repos.push_back(f.open_another());
  const auto now = at(0);
  for (int round = 0; round < 5; ++round) {
    const auto key = "race" + std::to_string(round);
    std::atomic<int> claimed{0}, in_progress{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i)
      threads.emplace_back([&, i] {
        while (!go.load())
          std::this_thread::yield();
        auto b =
            repos[i]->begin_idempotent(candidate("u", key, "h", "o" + std::to_string(i), now), now);
        if (b.claim == IdempotencyClaim::claimed) ++claimed;
        if (b.claim == IdempotencyClaim::in_progress) ++in_progress;
      });
    go = true;
    for (auto& t : threads)
      t.join();
    CHECK(claimed.load() == 1);
    CHECK(in_progress.load() == kThreads - 1);
  }
}
