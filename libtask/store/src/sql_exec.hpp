#pragma once
/// Bound parameters and row access on top of SOCI. Every value reaches SQL through a named,
/// long-lived binding (never a temporary: SOCI pitfall 1), and SQL text is only ever built from
/// constant fragments plus the placeholder names returned by Params::add.
#include <soci/soci.h>

#include <boost/json/value.hpp>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "dialect.hpp"
#include "task/core/time.hpp"

namespace task::store::detail {

/// The values bound to one statement; `add` returns the placeholder to put into the SQL.
class Params {
 public:
  std::string add(std::string v);
  std::string add(const std::optional<std::string>& v);
  std::string add(std::int64_t v);
  std::string add(const std::optional<std::int64_t>& v);
  std::string add(int v) { return add(static_cast<std::int64_t>(v)); }
  std::string add(bool v) { return add(static_cast<std::int64_t>(v ? 1 : 0)); }
  std::string add(double v);
  std::string add(Timestamp t) { return add(to_unix_micros(t)); }
  std::string add(const std::optional<Timestamp>& t);
  /// Number of values added.
  std::size_t size() const { return values_.size(); }
  /// Binds every value to `st` by name.
  void bind(soci::statement& st);
  /// True when `other` has the same number and kinds of values (so a statement bound to this
  /// object can run with other's values after copy_values_from).
  bool same_shape(const Params& other) const;
  /// Copies the values (not the names) of a Params of the same shape into this object, whose
  /// values SOCI may already be bound to.
  void copy_values_from(const Params& other);

 private:
  struct Value {
    enum Kind { text, integer, real } kind = text;
    std::string name;
    std::string s;
    long long i = 0;
    double d = 0;
    soci::indicator ind = soci::i_ok;
  };
  Value& push(Value::Kind kind);
  std::deque<Value> values_;  // deque: stable addresses for SOCI's bindings
};

class StatementLatencyCell;

/// A statement prepared once on one pooled session and run again with new values: SQLite keeps
/// the compiled program, PostgreSQL the parsed statement (PQprepare, then PQexecPrepared).
struct CachedStatement {
  explicit CachedStatement(soci::session& s) : st(s) {}
  Params params;  ///< the values SOCI is bound to; refilled before every run
  soci::row row;
  bool has_row = false;
  std::uint64_t last_used = 0;
  StatementLatencyCell* latency = nullptr;
  soci::statement st;  ///< last: destroyed first, before the bindings it points to
};

/// The prepared statements of one session, keyed by SQL text, at most kCapacity of them (the
/// least recently used one goes). SQL text is first seen once as a one-time query and prepared on
/// its second use, so statements built for one call (e.g. multi-row writes of an odd size) cost
/// no extra PostgreSQL round trip for PREPARE and DEALLOCATE.
class StatementCache {
 public:
  static constexpr std::size_t kCapacity = 128;
  /// The prepared statement for `sql` bound to a copy of `params`' values, or nullptr when `sql`
  /// should run as a one-time query this time.
  CachedStatement* get(soci::session& s, const std::string& sql, const Params& params,
                       bool has_row);
  std::size_t size() const { return map_.size(); }

 private:
  std::unordered_map<std::string, std::unique_ptr<CachedStatement>> map_;
  std::unordered_map<std::size_t, bool> seen_;  ///< hashes of SQL run once, not yet prepared
  std::uint64_t clock_ = 0;
};

/// A session of the pool with its prepared statements (destroyed before the connection closes).
/// soci::session is not polymorphic, so query/execute find the pooled session of a soci::session
/// through LeasedSession, never by a cast.
class PooledSession : public soci::session {
 public:
  StatementCache& statements() { return statements_; }
  bool sqlite = false;  ///< set by the pool: SQLite statements are reset after every run

 private:
  StatementCache statements_;
};

/// Marks `session` as the pooled session this thread holds, for the lifetime of the object
/// (restores the previous one after: leases may nest).
class LeasedSession {
 public:
  explicit LeasedSession(PooledSession& session);
  ~LeasedSession();
  LeasedSession(const LeasedSession&) = delete;
  LeasedSession& operator=(const LeasedSession&) = delete;
  /// The pooled session behind `s` when this thread leased it, else nullptr.
  static PooledSession* of(soci::session& s);

 private:
  PooledSession* previous_;
};

/// Runs a query and calls `on_row` for every result row.
void query(soci::session& s, const std::string& sql, Params& params,
           const std::function<void(const soci::row&)>& on_row);
/// Runs a statement without results; returns the number of affected rows.
std::int64_t execute(soci::session& s, const std::string& sql, Params& params);
/// Runs a query expected to return one row with one integer (e.g. RETURNING id, count(*)).
std::optional<std::int64_t> query_int(soci::session& s, const std::string& sql, Params& params);

// --- column access, tolerant of the backend's reported types ------------------------------
bool is_null(const soci::row& r, std::size_t i);
std::int64_t col_i64(const soci::row& r, std::size_t i);
std::optional<std::int64_t> col_opt_i64(const soci::row& r, std::size_t i);
double col_double(const soci::row& r, std::size_t i);
std::string col_str(const soci::row& r, std::size_t i);
std::optional<std::string> col_opt_str(const soci::row& r, std::size_t i);
std::optional<Timestamp> col_opt_time(const soci::row& r, std::size_t i);
Timestamp col_time(const soci::row& r, std::size_t i);
/// A JSON column; JSON null when SQL NULL.
boost::json::value col_json(const soci::row& r, std::size_t i);
/// A JSON array of strings column.
std::vector<std::string> col_strings(const soci::row& r, std::size_t i);

/// JSON text of a value (SQL NULL when the value is JSON null and `null_as_sql_null`).
std::optional<std::string> json_text(const boost::json::value& v, bool null_as_sql_null);
/// JSON array text of strings.
/// A string list as the text a tag column takes (Dialect::tags_in): a PostgreSQL array literal,
/// or JSON on SQLite.
std::string tags_text(const Dialect& d, const std::vector<std::string>& v);
std::string strings_json(const std::vector<std::string>& v);

/// Runs `fn()` between `begin` (BEGIN, BEGIN IMMEDIATE) and COMMIT on `s` and returns its
/// result; on an exception rolls back and rethrows. A ROLLBACK that fails too (the connection is
/// gone) is ignored: the server rolls back a lost session's transaction itself.
template <class Fn>
auto within_transaction(soci::session& s, const std::string& begin, Fn&& fn) -> decltype(fn()) {
  s << begin;
  try {
    if constexpr (std::is_void_v<decltype(fn())>) {
      fn();
      s << "COMMIT";
    } else {
      auto result = fn();
      s << "COMMIT";
      return result;
    }
  } catch (...) {
    try {
      s << "ROLLBACK";
    } catch (...) {
      // see above
    }
    throw;
  }
}

}  // namespace task::store::detail
