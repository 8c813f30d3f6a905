#pragma once
/// The small seam between PostgreSQL and SQLite: every SQL difference the repository needs is one
/// function here, so the repository itself is written once.
#include <string>
#include <string_view>

namespace task::store::detail {

/// Which SQL backend a session talks to.
enum class Backend { sqlite, postgres };

/// SQL fragments that differ between the backends.
struct Dialect {
  Backend backend = Backend::sqlite;

  bool pg() const { return backend == Backend::postgres; }
  /// A table name: `task.user_tasks` on PostgreSQL (schema `task`), `user_tasks` on SQLite.
  std::string table(std::string_view name) const {
    return (pg() ? "task." : "") + std::string(name);
  }
  /// A bound JSON text parameter as a JSON column value.
  std::string json_in(const std::string& p) const { return pg() ? "CAST(" + p + " AS jsonb)" : p; }
  /// A JSON column read back as text.
  std::string json_out(const std::string& col) const {
    return pg() ? "CAST(" + col + " AS TEXT)" : col;
  }
  /// A bound tag list (see tags_text) as a tag column value (TEXT[] on PostgreSQL, JSON text on
  /// SQLite). A plain cast: no per-row subquery for the planner in multi-row statements.
  std::string tags_in(const std::string& p) const { return pg() ? "CAST(" + p + " AS TEXT[])" : p; }
  /// A tag column read back as a JSON array text.
  std::string tags_out(const std::string& col) const {
    return pg() ? "CAST(to_jsonb(" + col + ") AS TEXT)" : col;
  }
  /// True when the tag column contains every string of the bound tag list (see tags_text).
  std::string tags_contain(const std::string& col, const std::string& p) const {
    if (pg()) return col + " @> " + tags_in(p);
    return "NOT EXISTS (SELECT 1 FROM json_each(" + p + ") AS want WHERE want.value NOT IN " +
           "(SELECT have.value FROM json_each(" + col + ") AS have))";
  }
  /// A boolean column read back as 0/1.
  std::string bool_out(const std::string& col) const {
    return "CASE WHEN " + col + " THEN 1 ELSE 0 END";
  }
  /// Case-insensitive LIKE (SQLite's LIKE folds ASCII only).
  std::string ilike() const { return pg() ? " ILIKE " : " LIKE "; }
  /// Byte-wise ordering of a text column, the same on both backends and in task::memory.
  std::string order_text(const std::string& col) const {
    return pg() ? col + " COLLATE \"C\"" : col;
  }
  /// Starts a transaction that will write: takes SQLite's write lock up front.
  std::string begin_write() const { return pg() ? "BEGIN" : "BEGIN IMMEDIATE"; }
  /// Locks the rows a SELECT reads until commit (SQLite: the transaction already holds the lock).
  std::string for_update() const { return pg() ? " FOR UPDATE" : ""; }
  /// Locks the rows a SELECT reads, skipping rows locked by others.
  std::string for_update_skip_locked() const { return pg() ? " FOR UPDATE SKIP LOCKED" : ""; }
};

}  // namespace task::store::detail
