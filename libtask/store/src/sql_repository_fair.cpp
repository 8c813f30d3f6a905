// The scheduler's fair claim (docs/scheduler.md "Fair turns and per-user concurrency"): users take
// turns within a priority and a user at their concurrency limit is left out, computed in SQL with
// window functions — over every due row while they are few, over each user's first rows per
// priority (a skip scan of the users, then one index range each) when there is a backlog; on
// PostgreSQL a per-user advisory lock serialises the claims of one user with a limit across
// replicas, and the runs in flight of the locked users are counted again under it, so another
// replica's claim cannot make the count stale.
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

/// No user takes more in one claim than the largest level limit, when every level has one.
int most_per_user(const ClaimFairness& f, int limit) {
  const auto [lo, hi] = std::minmax_element(f.limit.begin(), f.limit.end());
  return *lo > 0 ? *hi : limit;
}

}  // namespace

std::string SqlRepository::fair_order(soci::session& s, Timestamp now, int limit,
                                      const ClaimFairness& fairness, bool limited, Params& p) {
  // b: runs in flight per user (running, lease unexpired).
  auto in_flight = [&] {
    return "SELECT user_id, COUNT(*) AS n FROM " + t("user_tasks") +
           " WHERE status = 'running' AND deleted_at IS NULL AND lease_expires_at > " + p.add(now) +
           " GROUP BY user_id";
  };
  auto level_limit = [&] {
    return limit_case(
        "COALESCE(l.level, " + p.add(std::string(to_string(fairness.default_level))) + ")",
        fairness, p);
  };
  // Users already at their limit are left out before anything is sorted: while a big backlog's
  // owner is at the limit, a round reads only the other users' due rows. Without any limit
  // (every level unlimited) there is no room to compute: no runs in flight, no levels.
  auto not_full = [&](const std::string& user) -> std::string {
    if (!limited) return "";
    return " AND " + user + " NOT IN (SELECT f.user_id FROM (" + in_flight() + ") f LEFT JOIN " +
           t("user_levels") + " l ON l.user_id = f.user_id WHERE f.n >= " + level_limit() + ")";
  };
  // A due, unleased row (columns of the table itself or of alias `a`).
  auto due_row = [&](const std::string& a) {
    return a + "status = 'scheduled' AND " + a + "deleted_at IS NULL AND " + a +
           "next_run_time <= " + p.add(now) + " AND (" + a + "lease_expires_at IS NULL OR " + a +
           "lease_expires_at <= " + p.add(now) + ")" + skip_unreadable();
  };
  // c: the rows the turn order is computed over. A short list of due rows is read whole. A
  // backlog is not: only each user's first `limit` due rows of each priority can be among the
  // first `limit` of the turn order (a user's k-th turn of a priority comes after k − 1 others
  // of that user), so c holds those, read from idx_tasks_due_user (migration 0011) — users by a
  // skip scan (the next user after the last one, one index probe each), then per user and
  // priority one range of at most `limit` rows. The cost of a round is then O(users × limit),
  // whatever the backlog (docs/performance.md, "per-user top-K claim"). Whether there is a
  // backlog is counted once, then assumed while the claims come back full (either way the
  // order is the same; only the cost differs).
  const int backlog = std::max(4 * limit, 32);
  bool top_k = fair_backlog_.load(std::memory_order_relaxed);
  if (!top_k) {
    Params cp;
    top_k = query_int(s,
                      "SELECT COUNT(*) FROM (SELECT 1 FROM " + t("user_tasks") +
                          " WHERE status = 'scheduled' AND deleted_at IS NULL AND "
                          "next_run_time <= " +
                          cp.add(now) + " ORDER BY next_run_time LIMIT " + cp.add(backlog) + ") x",
                      cp)
                .value_or(0) >= backlog;
  }
  std::string c;
  if (!top_k) {
    c = "SELECT id, user_id, priority, next_run_time FROM " + t("user_tasks") + " WHERE " +
        due_row("") + not_full("user_id");
  } else {
    // ORDER BY user_id, priority (not MIN): only idx_tasks_due_user gives that order, and it
    // holds scheduled rows only, so a step never walks past a user's finished rows.
    const std::string users =
        "WITH RECURSIVE u(user_id) AS (SELECT user_id FROM (SELECT user_id FROM " +
        t("user_tasks") +
        " WHERE status = 'scheduled' AND deleted_at IS NULL ORDER BY user_id, priority LIMIT 1) "
        "f UNION ALL SELECT (SELECT x.user_id FROM " +
        t("user_tasks") +
        " x WHERE x.status = 'scheduled' AND x.deleted_at IS NULL AND x.user_id > u.user_id "
        "ORDER BY x.user_id, x.priority LIMIT 1) FROM u WHERE u.user_id IS NOT NULL) ";
    const std::string priorities =
        "(SELECT 'urgent' AS p UNION ALL SELECT 'high' UNION ALL SELECT 'medium' UNION ALL "
        "SELECT 'low') pr";
    // One user's range of one priority: at most `n` rows (an SQL expression).
    auto first_k = [&](const std::string& user, const std::string& n) {
      return " WHERE y.user_id = " + user + " AND y.priority = pr.p AND " + due_row("y.") +
             " ORDER BY y.next_run_time, y.id LIMIT " + n;
    };
    const std::string range = p.add(std::min(std::max(limit, 0), most_per_user(fairness, limit)));
    const std::string live_users = " WHERE u.user_id IS NOT NULL" + not_full("u.user_id");
    auto lateral = [&](const std::string& user, const std::string& n) {
      return " CROSS JOIN LATERAL (SELECT y.id, y.user_id, y.priority, y.next_run_time FROM " +
             t("user_tasks") + " y" + first_k(user, n) + ") k";
    };
    const std::string columns = "SELECT k.id, k.user_id, k.priority, k.next_run_time FROM ";
    if (d().pg() && limited)
      // Each user's ranges read no more than that user's room now (limit − runs in flight, at
      // most the batch): a user of the default level with one run in flight reads 1 row per
      // priority, not 16 (a LATERAL LIMIT may name the outer row). Users without room are left
      // out here.
      c = users + columns + "(SELECT u.user_id, LEAST(CAST(" + p.add(std::max(limit, 0)) +
          " AS BIGINT), " + level_limit() + " - COALESCE(b.n, 0)) AS room FROM u LEFT JOIN " +
          t("user_levels") + " l ON l.user_id = u.user_id LEFT JOIN (" + in_flight() +
          ") b ON b.user_id = u.user_id WHERE u.user_id IS NOT NULL) ur CROSS JOIN " + priorities +
          lateral("ur.user_id", "ur.room") + " WHERE ur.room > 0";
    else if (d().pg())
      c = users + columns + "u CROSS JOIN " + priorities + lateral("u.user_id", range) + live_users;
    else  // SQLite has no LATERAL: the same range as a correlated IN list of row ids.
      c = users + "SELECT z.id, z.user_id, z.priority, z.next_run_time FROM u, " + priorities +
          ", " + t("user_tasks") + " z" + live_users + " AND z.id IN (SELECT y.id FROM " +
          t("user_tasks") + " y" + first_k("u.user_id", range) + ")";
  }
  // d: two turns per row of c — user_turn over all of the user's rows (highest priority first,
  // the room cuts there) and turn within the user's rows of that priority (the claim order).
  // (Without limits there is no room, so no user_turn either: one sort less.)
  const std::string user_turn = limited ? "ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY " +
                                              std::string(kRank) +
                                              " DESC, next_run_time, id) AS user_turn, "
                                        : "";
  const std::string due = "SELECT id, user_id, next_run_time, " + std::string(kRank) +
                          " AS prank, " + user_turn +
                          "ROW_NUMBER() OVER (PARTITION BY user_id, priority ORDER BY "
                          "next_run_time, id) AS turn FROM (" +
                          c + ") c";
  const std::string order =
      "ROW_NUMBER() OVER (ORDER BY d.prank DESC, d.turn, d.next_run_time, "
      "d.id) AS fair_ord";
  const std::string tail =
      " ORDER BY d.prank DESC, d.turn, d.next_run_time, d.id LIMIT " + p.add(std::max(limit, 0));
  if (!limited)
    return "SELECT d.id AS fair_id, CAST(" + p.add(kNoLimit) + " AS BIGINT) AS fair_limit, " +
           order + " FROM (" + due + ") d" + tail;
  const std::string room = level_limit();
  return "SELECT d.id AS fair_id, " + level_limit() + " AS fair_limit, " + order + " FROM (" + due +
         ") d LEFT JOIN " + t("user_levels") + " l ON l.user_id = d.user_id LEFT JOIN (" +
         in_flight() +
         ") b ON b.user_id = d.user_id WHERE d.user_turn + COALESCE(b.n, 0) <= " + room + tail;
}

std::vector<Task> SqlRepository::lock_due_fairly(soci::session& s, Timestamp now, int limit,
                                                 const ClaimFairness& fairness) {
  if (limit <= 0) return {};
  bool limited = false;
  for (const int n : fairness.limit)
    limited = limited || n > 0;
  // One statement computes the turn order and locks its rows (re-checked: still due, not
  // leased; rows held by another transaction, a single-task change or another replica's claim,
  // are skipped), in claim order.
  // PostgreSQL re-plans a prepared statement for every execution while it guesses that a
  // custom plan beats the generic one; this statement's plan (2–3 ms to make) has the same shape
  // for any values, so the transaction asks for the generic plan, made once per session.
  if (d().pg()) s << "SET LOCAL plan_cache_mode = force_generic_plan";
  Params p;
  const std::string order = fair_order(s, now, limit, fairness, limited, p);
  // Claim order is restored here, not by the statement: a sort of the wide rows there costs
  // more than the join itself.
  struct Claimed {
    std::int64_t ord, limit;
    Task task;
  };
  std::vector<Claimed> claimed;
  query(
      s,
      "SELECT " + task_columns(d()) + ", o.fair_ord, o.fair_limit FROM " + t("user_tasks") +
          " ut JOIN (" + order +
          ") o ON o.fair_id = ut.id WHERE status = 'scheduled' AND deleted_at IS NULL AND " +
          "next_run_time <= " + p.add(now) + " AND (lease_expires_at IS NULL OR " +
          "lease_expires_at <= " + p.add(now) + ")" +
          (d().pg() ? " FOR UPDATE OF ut SKIP LOCKED" : ""),
      p, [&](const soci::row& r) {
        if (auto task = decode_task(r, OnUnreadable::skip))
          claimed.push_back({col_i64(r, r.size() - 2), col_i64(r, r.size() - 1), std::move(*task)});
      });
  std::sort(claimed.begin(), claimed.end(),
            [](const Claimed& a, const Claimed& b) { return a.ord < b.ord; });
  std::vector<Task> rows;
  std::vector<std::int64_t> limits;
  for (auto& c : claimed) {
    rows.push_back(std::move(c.task));
    limits.push_back(c.limit);
  }
  fair_backlog_.store(static_cast<int>(rows.size()) >= limit, std::memory_order_relaxed);
  if (!d().pg() || !limited) return rows;
  // Take the claim lock of every user with a limit among the rows, skipping users another
  // replica is claiming for right now (their turn comes in the next round). Then count the runs
  // in flight of the locked users again: that statement sees every claim of theirs committed
  // before the lock, and none can start until this transaction commits. Users without a limit
  // need neither: their rows are locked above (SKIP LOCKED) like any claim's. Rows left out
  // stay locked until this transaction ends, then are due again.
  std::vector<std::string> users;
  for (std::size_t i = 0; i < rows.size(); ++i)
    if (limits[i] < kNoLimit &&
        std::find(users.begin(), users.end(), rows[i].user_id) == users.end())
      users.push_back(rows[i].user_id);
  if (users.empty()) return rows;
  std::map<std::string, std::int64_t, std::less<>> busy;  // locked users -> runs in flight
  {
    Params lp;
    std::string values;
    for (std::size_t i = 0; i < users.size(); ++i)
      values += (i ? ", (CAST(" : "(CAST(") + lp.add(users[i]) + " AS TEXT))";
    query(s,
          "SELECT u FROM (VALUES " + values + ") AS v(u) WHERE pg_try_advisory_xact_lock(" +
              std::to_string(kUserClaimLock) + ", hashtext(u))",
          lp, [&](const soci::row& r) { busy.emplace(col_str(r, 0), 0); });
  }
  if (!busy.empty()) {
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
  std::vector<Task> kept;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (limits[i] < kNoLimit) {
      const auto it = busy.find(rows[i].user_id);
      if (it == busy.end() || it->second >= limits[i]) continue;
      ++it->second;
    }
    kept.push_back(std::move(rows[i]));
  }
  return kept;
}

}  // namespace task::store::detail
