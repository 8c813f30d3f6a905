#pragma once
/// Bound parameters and row access on top of SOCI. Every value reaches SQL through a named,
/// long-lived binding (never a temporary: SOCI pitfall 1), and SQL text is only ever built from
/// constant fragments plus the placeholder names returned by Params::add.
#include <soci/soci.h>

#include <boost/json/value.hpp>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
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

}  // namespace task::store::detail
