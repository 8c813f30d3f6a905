#pragma once
/// Versioned migrations: sql/<backend>/NNNN_name.sql, embedded at build time, applied in order
/// and recorded in a migrations table; safe when several processes start at once.
#include <soci/soci.h>

#include <string>
#include <vector>

#include "dialect.hpp"

namespace task::store::detail {

/// One embedded migration file.
struct EmbeddedMigration {
  std::string backend;  ///< "postgres" or "sqlite"
  std::string name;     ///< file name without .sql, e.g. "0001_init"
  std::string sql;
};

/// All embedded migration files (generated from sql/ by CMake), sorted by backend and name.
const std::vector<EmbeddedMigration>& embedded_migrations();

/// Splits a migration script into statements: a statement ends with `;` at the end of a line;
/// `--` comment lines are dropped.
std::vector<std::string> split_statements(const std::string& script);

/// Applies every pending migration (PostgreSQL: under an advisory lock; SQLite: inside
/// BEGIN IMMEDIATE). Returns how many were applied.
int apply_migrations(soci::session& s, const Dialect& d);

/// Versions recorded in the migrations table, ascending.
std::vector<int> applied_versions(soci::session& s, const Dialect& d);

}  // namespace task::store::detail
