// The scheduler's fair claim (docs/scheduler.md "Fair turns and per-user concurrency"): users take
// turns within a priority and a user at their concurrency limit is left out, computed in SQL with
// window functions; on PostgreSQL a per-user advisory lock serialises the claims of one user
// across replicas, and the runs in flight of the locked users are counted again under it, so
// another replica's claim cannot make the count stale.
#include <algorithm>
#include <map>

#include "codec.hpp"
#include "sql_repository.hpp"

namespace task::store::detail {

namespace {

const char* const kRank =
    "(CASE priority WHEN 'urgent' THEN 3 WHEN 'high' THEN 2 WHEN 'medium' THEN 1 ELSE 0 END)";

/// Stands for "no limit" in the SQL room expression.
constexpr int kNoLimit = 1 << 30;

/// First key of the two-key advisory lock a claim takes per user ("tu": task user).
constexpr int kUserClaimLock = 0x7475;

/// `(CASE level WHEN 'free' THEN n ... END)`: the limit of the level expression `level`.
std::string limit_case(const std::string& level, const ClaimFairness& f, Params& p) {
  std::string out = "(CASE " + level;
  for (const auto lv : {SubscriptionLevel::free, SubscriptionLevel::basic, SubscriptionLevel::pro,
                        SubscriptionLevel::enterprise})
    out += " WHEN " + p.add(std::string(to_string(lv))) + " THEN CAST(" +
           p.add(f.limit_of(lv).value_or(kNoLimit)) + " AS BIGINT)";
  return out + " ELSE CAST(" + p.add(kNoLimit) + " AS BIGINT) END)";
}

}  // namespace

std::vector<SqlRepository::FairCandidate> SqlRepository::fair_due_ids(
    soci::session& s, Timestamp now, int limit, const ClaimFairness& fairness) {
  Params p;
  // d: the due tasks with two turns per row — user_turn over all of the user's due tasks
  // (highest priority first, the room cuts there) and turn within the user's tasks of that
  // priority (the claim order). b: runs in flight per user (running, lease unexpired).
  auto in_flight = [&] {
    return "SELECT user_id, COUNT(*) AS n FROM " + t("user_tasks") +
           " WHERE status = 'running' AND deleted_at IS NULL AND lease_expires_at > " + p.add(now) +
           " GROUP BY user_id";
  };
  // Users already at their limit are left out before the window functions sort anything: while
  // a big backlog's owner is at the limit, a round reads only the other users' due rows.
  const std::string full =
      "SELECT f.user_id FROM (" + in_flight() + ") f LEFT JOIN " + t("user_levels") +
      " l ON l.user_id = f.user_id WHERE f.n >= " +
      limit_case("COALESCE(l.level, " + p.add(std::string(to_string(fairness.default_level))) + ")",
                 fairness, p);
  const std::string due = "SELECT id, user_id, next_run_time, " + std::string(kRank) +
                          " AS prank, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY " + kRank +
                          " DESC, next_run_time, id) AS user_turn, ROW_NUMBER() OVER (PARTITION "
                          "BY user_id, priority ORDER BY next_run_time, id) AS turn FROM " +
                          t("user_tasks") +
                          " WHERE status = 'scheduled' AND deleted_at IS NULL AND next_run_time "
                          "<= " +
                          p.add(now) +
                          " AND (lease_expires_at IS NULL OR lease_expires_at <= " + p.add(now) +
                          ") AND user_id NOT IN (" + full + ")" + skip_unreadable();
  auto level_limit = [&] {
    return limit_case(
        "COALESCE(l.level, " + p.add(std::string(to_string(fairness.default_level))) + ")",
        fairness, p);
  };
  const std::string room = level_limit();
  const std::string sql =
      "SELECT d.id, d.user_id, " + level_limit() + " FROM (" + due + ") d LEFT JOIN " +
      t("user_levels") + " l ON l.user_id = d.user_id LEFT JOIN (" + in_flight() +
      ") b ON b.user_id = d.user_id WHERE d.user_turn + COALESCE(b.n, 0) <= " + room +
      " ORDER BY d.prank DESC, d.turn, d.next_run_time, d.id LIMIT " + p.add(std::max(limit, 0));
  std::vector<FairCandidate> out;
  query(s, sql, p, [&](const soci::row& r) {
    out.push_back({col_i64(r, 0), col_str(r, 1), col_i64(r, 2)});
  });
  return out;
}

std::vector<Task> SqlRepository::lock_due_fairly(soci::session& s, Timestamp now, int limit,
                                                 const ClaimFairness& fairness) {
  if (limit <= 0) return {};
  auto order = fair_due_ids(s, now, limit, fairness);
  if (order.empty()) return {};
  if (d().pg()) {
    // Take the claim lock of every user in the order, skipping users another replica is
    // claiming for right now (their turn comes in the next round). Then count the runs in flight
    // of the locked users again: that statement sees every claim of theirs committed before the
    // lock, and none can start until this transaction commits.
    std::vector<std::string> users;
    for (const auto& c : order)
      if (std::find(users.begin(), users.end(), c.user_id) == users.end())
        users.push_back(c.user_id);
    Params p;
    std::string values;
    for (std::size_t i = 0; i < users.size(); ++i)
      values += (i ? ", (CAST(" : "(CAST(") + p.add(users[i]) + " AS TEXT))";
    std::map<std::string, std::int64_t, std::less<>> busy;  // locked users -> runs in flight
    query(s,
          "SELECT u FROM (VALUES " + values + ") AS v(u) WHERE pg_try_advisory_xact_lock(" +
              std::to_string(kUserClaimLock) + ", hashtext(u))",
          p, [&](const soci::row& r) { busy.emplace(col_str(r, 0), 0); });
    bool limited = false;
    for (const auto& c : order)
      limited = limited || (busy.count(c.user_id) && c.limit < kNoLimit);
    if (limited) {
      Params q;
      std::string in;
      for (const auto& [user, n] : busy)
        in += (in.empty() ? "" : ", ") + q.add(user);
      query(s,
            "SELECT user_id, COUNT(*) FROM " + t("user_tasks") +
                " WHERE status = 'running' AND deleted_at IS NULL AND lease_expires_at > " +
                q.add(now) + " AND user_id IN (" + in + ") GROUP BY user_id",
            q, [&](const soci::row& r) { busy[col_str(r, 0)] = col_i64(r, 1); });
    }
    // Keep, per locked user in claim order, no more than limit − runs in flight now.
    std::vector<FairCandidate> kept;
    for (auto& c : order) {
      const auto it = busy.find(c.user_id);
      if (it == busy.end() || it->second >= c.limit) continue;
      ++it->second;
      kept.push_back(std::move(c));
    }
    order = std::move(kept);
    if (order.empty()) return {};
  }
  Params p;
  std::string ids;
  for (std::size_t i = 0; i < order.size(); ++i)
    ids += (i ? ", " : "") + p.add(order[i].id);
  // Lock the rows (re-checked: still due, not leased); rows held by another transaction (a
  // single-task change) are skipped.
  auto rows = select_tasks(
      s,
      " WHERE id IN (" + ids + ") AND status = 'scheduled' AND deleted_at IS NULL AND " +
          "next_run_time <= " + p.add(now) + " AND (lease_expires_at IS NULL OR " +
          "lease_expires_at <= " + p.add(now) + ") ORDER BY id" + d().for_update_skip_locked(),
      p);
  std::map<std::int64_t, std::size_t> place;
  for (std::size_t i = 0; i < order.size(); ++i)
    place.emplace(order[i].id, i);
  std::sort(rows.begin(), rows.end(),
            [&](const Task& a, const Task& b) { return place.at(a.id) < place.at(b.id); });
  return rows;
}

}  // namespace task::store::detail
