#include "migrations.hpp"

#include <algorithm>
#include <chrono>
#include <sstream>

#include "sql_exec.hpp"
#include "task/codec/json_numbers.hpp"

namespace task::store::detail {

namespace {

/// Arbitrary constant key of the PostgreSQL advisory lock that serialises migrations.
constexpr long long kMigrationLockKey = 0x7461736b6d6967;  // "taskmig"

int version_of(const std::string& name) {
  return std::stoi(name.substr(0, name.find('_')));
}

std::string backend_name(const Dialect& d) {
  return d.pg() ? "postgres" : "sqlite";
}

void ensure_migrations_table(soci::session& s, const Dialect& d) {
  if (d.pg()) s << "CREATE SCHEMA IF NOT EXISTS task";
  s << "CREATE TABLE IF NOT EXISTS " + d.table("schema_migrations") +
           " (version INTEGER PRIMARY KEY, name VARCHAR(255) NOT NULL, applied_at BIGINT NOT "
           "NULL)";
}

/// Migration 0004 (sql/sqlite/0004_finite_json.sql): bare Infinity/-Infinity/NaN tokens in the
/// JSON text columns of SQLite become null. Runs inside the migration's transaction.
void repair_non_finite_json(soci::session& s, const Dialect& d) {
  if (d.pg()) return;  // jsonb never held these tokens
  struct Columns {
    const char* table;
    const char* key;
    std::vector<const char*> json;
  };
  const Columns all[] = {
      {"user_tasks", "id", {"config", "schedule", "metadata", "last_result"}},
      {"task_executions", "id", {"trigger_data", "result", "error_details"}},
      {"task_templates", "id", {"default_config", "config_schema", "metadata"}},
      {"event_outbox", "seq", {"data"}},
  };
  for (const auto& c : all) {
    for (const char* col : c.json) {
      std::vector<std::pair<std::int64_t, std::string>> fixed;
      Params p;
      query(s,
            std::string("SELECT ") + c.key + ", " + col + " FROM " + d.table(c.table) + " WHERE " +
                col + " LIKE '%Infinity%' OR " + col + " LIKE '%NaN%'",
            p, [&](const soci::row& r) {
              auto text = replace_non_finite_tokens(col_str(r, 1));
              if (!text) return;  // only inside strings
              boost::system::error_code ec;
              parse_json(*text, ec, kMaxStoredJsonDepth);
              if (!ec) fixed.emplace_back(col_i64(r, 0), std::move(*text));
            });
      for (const auto& [key, text] : fixed) {
        Params u;
        execute(s,
                std::string("UPDATE ") + d.table(c.table) + " SET " + col + " = " + u.add(text) +
                    " WHERE " + c.key + " = " + u.add(key),
                u);
      }
    }
  }
}

/// Steps of a migration that SQL cannot express, run after its statements.
void run_code_steps(soci::session& s, const Dialect& d, const std::string& name) {
  if (name == "0004_finite_json") repair_non_finite_json(s, d);
}

int apply_pending(soci::session& s, const Dialect& d) {
  const auto done = applied_versions(s, d);
  int applied = 0;
  for (const auto& m : embedded_migrations()) {
    if (m.backend != backend_name(d)) continue;
    const int version = version_of(m.name);
    if (std::find(done.begin(), done.end(), version) != done.end()) continue;
    if (d.pg()) s << "BEGIN";  // SQLite: already inside BEGIN IMMEDIATE
    for (const auto& stmt : split_statements(m.sql))
      s << stmt;
    run_code_steps(s, d, m.name);
    Params p;
    const auto now = std::chrono::duration_cast<std::chrono::microseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    execute(s,
            "INSERT INTO " + d.table("schema_migrations") +
                " (version, name, applied_at) VALUES (" + p.add(version) + ", " + p.add(m.name) +
                ", " + p.add(std::int64_t{now}) + ")",
            p);
    if (d.pg()) s << "COMMIT";
    ++applied;
  }
  return applied;
}

/// True while `current` is a PostgreSQL function body (an odd number of `$$` so far) or an SQLite
/// CREATE TRIGGER ... BEGIN whose `END;` line has not come yet: a `;` at the end of `line` ends no
/// statement.
bool inside_block(const std::string& current, const std::string& line) {
  std::size_t dollars = 0;
  for (auto at = current.find("$$"); at != std::string::npos; at = current.find("$$", at + 2))
    ++dollars;
  if (dollars % 2 == 1) return true;
  const auto first = current.find_first_not_of(" \t\r\n");
  if (current.compare(first, 14, "CREATE TRIGGER") != 0 ||
      current.find(" BEGIN\n") == std::string::npos)
    return false;
  const auto b = line.find_first_not_of(" \t\r"), e = line.find_last_not_of(" \t\r");
  return line.substr(b, e - b + 1) != "END;";
}

}  // namespace

std::vector<std::string> split_statements(const std::string& script) {
  std::vector<std::string> out;
  std::istringstream in(script);
  std::string line, current;
  while (std::getline(in, line)) {
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line.compare(first, 2, "--") == 0) continue;
    current += line + "\n";
    const auto last = line.find_last_not_of(" \t\r");
    if (line[last] == ';' && !inside_block(current, line)) {
      out.push_back(current.substr(0, current.rfind(';')));
      current.clear();
    }
  }
  if (current.find_first_not_of(" \t\r\n") != std::string::npos) out.push_back(current);
  return out;
}

std::vector<int> applied_versions(soci::session& s, const Dialect& d) {
  std::vector<int> out;
  Params p;
  query(s, "SELECT version FROM " + d.table("schema_migrations") + " ORDER BY version", p,
        [&](const soci::row& r) { out.push_back(static_cast<int>(col_i64(r, 0))); });
  return out;
}

int apply_migrations(soci::session& s, const Dialect& d) {
  if (d.pg()) {
    long long key = kMigrationLockKey;
    s << "SELECT pg_advisory_lock(:k)", soci::use(key);
    try {
      ensure_migrations_table(s, d);
      const int n = apply_pending(s, d);
      s << "SELECT pg_advisory_unlock(:k)", soci::use(key);
      return n;
    } catch (...) {
      try {
        s << "ROLLBACK";
        s << "SELECT pg_advisory_unlock(:k)", soci::use(key);
      } catch (...) {
        // connection lost: the server releases session locks itself
      }
      throw;
    }
  }
  return within_transaction(s, "BEGIN IMMEDIATE", [&] {
    ensure_migrations_table(s, d);
    return apply_pending(s, d);
  });
}

}  // namespace task::store::detail
