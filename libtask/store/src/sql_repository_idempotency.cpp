// Idempotency-Key records (IdempotencyStore) of SqlRepository: table idempotency_keys
// (sql/*/0008_idempotency_keys.sql), one row per (user_id, idem_key).
#include "sql_repository.hpp"
#include "task/core/errors.hpp"

namespace task::store::detail {

namespace {

constexpr const char* kColumns =
    "user_id, idem_key, request_hash, owner, completed, status, body, headers, created_at, "
    "expires_at";

IdempotencyRecord record_from_row(const soci::row& r) {
  IdempotencyRecord out;
  out.user_id = col_str(r, 0);
  out.key = col_str(r, 1);
  out.request_hash = col_str(r, 2);
  out.owner = col_str(r, 3);
  out.completed = col_i64(r, 4) != 0;
  out.status = static_cast<int>(col_opt_i64(r, 5).value_or(0));
  out.body = col_opt_str(r, 6).value_or("");
  out.headers = col_opt_str(r, 7).value_or("");
  out.created_at = col_time(r, 8);
  out.expires_at = col_time(r, 9);
  return out;
}

}  // namespace

IdempotencyBegin SqlRepository::begin_idempotent(const IdempotencyRecord& candidate,
                                                 Timestamp now) {
  const std::string table = t("idempotency_keys");
  return db_->with_session([&](soci::session& s) {
    // One statement decides: a new row, or the takeover of an expired one; a live row of
    // another request stays as it is (PostgreSQL waits for a racing insert to commit first).
    Params p;
    execute(s,
            "INSERT INTO " + table + " AS k (" + kColumns + ") VALUES (" +
                p.add(candidate.user_id) + ", " + p.add(candidate.key) + ", " +
                p.add(candidate.request_hash) + ", " + p.add(candidate.owner) +
                ", 0, NULL, NULL, NULL, " + p.add(candidate.created_at) + ", " +
                p.add(candidate.expires_at) +
                ") ON CONFLICT (user_id, idem_key) DO UPDATE SET request_hash = "
                "excluded.request_hash, owner = excluded.owner, completed = 0, status = NULL, "
                "body = NULL, headers = NULL, created_at = excluded.created_at, expires_at = "
                "excluded.expires_at WHERE k.expires_at <= " +
                p.add(now),
            p);
    Params q;
    std::optional<IdempotencyRecord> live;
    query(s,
          std::string("SELECT ") + kColumns + " FROM " + table + " WHERE user_id = " +
              q.add(candidate.user_id) + " AND idem_key = " + q.add(candidate.key),
          q, [&](const soci::row& r) { live = record_from_row(r); });
    if (!live) throw Unavailable("idempotency record vanished while it was created");
    IdempotencyBegin out;
    if (live->owner == candidate.owner && !live->completed)
      out.claim = IdempotencyClaim::claimed;
    else if (live->request_hash != candidate.request_hash)
      out.claim = IdempotencyClaim::mismatch;
    else
      out.claim = live->completed ? IdempotencyClaim::completed : IdempotencyClaim::in_progress;
    out.record = std::move(*live);
    return out;
  });
}

bool SqlRepository::complete_idempotent(std::string_view user_id, std::string_view key,
                                        std::string_view owner, int status, const std::string& body,
                                        const std::string& headers, Timestamp expires_at) {
  return db_->with_session([&](soci::session& s) {
    Params p;
    const auto sql = "UPDATE " + t("idempotency_keys") +
                     " SET completed = 1, status = " + p.add(status) + ", body = " + p.add(body) +
                     ", headers = " + p.add(headers) + ", expires_at = " + p.add(expires_at) +
                     " WHERE user_id = " + p.add(std::string(user_id)) +
                     " AND idem_key = " + p.add(std::string(key)) +
                     " AND owner = " + p.add(std::string(owner)) + " AND completed = 0";
    if (execute(s, sql, p) > 0) return true;
    // A retried call (connection lost after the commit) finds its own completed row.
    Params q;
    return query_int(s,
                     "SELECT COUNT(*) FROM " + t("idempotency_keys") +
                         " WHERE user_id = " + q.add(std::string(user_id)) +
                         " AND idem_key = " + q.add(std::string(key)) +
                         " AND owner = " + q.add(std::string(owner)) + " AND completed = 1",
                     q)
               .value_or(0) > 0;
  });
}

void SqlRepository::release_idempotent(std::string_view user_id, std::string_view key,
                                       std::string_view owner) {
  db_->with_session([&](soci::session& s) {
    Params p;
    execute(s,
            "DELETE FROM " + t("idempotency_keys") + " WHERE user_id = " +
                p.add(std::string(user_id)) + " AND idem_key = " + p.add(std::string(key)) +
                " AND owner = " + p.add(std::string(owner)) + " AND completed = 0",
            p);
  });
}

std::int64_t SqlRepository::prune_idempotency(Timestamp now, int limit) {
  const std::string table = t("idempotency_keys");
  return db_->with_session([&](soci::session& s) {
    Params p;
    return execute(s,
                   "DELETE FROM " + table +
                       " WHERE (user_id, idem_key) IN (SELECT user_id, "
                       "idem_key FROM " +
                       table + " WHERE expires_at <= " + p.add(now) + " LIMIT " + p.add(limit) +
                       ")",
                   p);
  });
}

std::optional<IdempotencyRecord> SqlRepository::find_idempotency(std::string_view user_id,
                                                                 std::string_view key) {
  return db_->with_session([&](soci::session& s) {
    Params p;
    std::optional<IdempotencyRecord> out;
    query(s,
          std::string("SELECT ") + kColumns + " FROM " + t("idempotency_keys") +
              " WHERE user_id = " + p.add(std::string(user_id)) +
              " AND idem_key = " + p.add(std::string(key)),
          p, [&](const soci::row& r) { out = record_from_row(r); });
    return out;
  });
}

}  // namespace task::store::detail
