// Fuzzes the store codec (libtask/store codec.cpp) on real rows: each input writes one row of
// user_tasks, task_executions or task_templates into an in-memory SQLite database with the real
// migrations, with any column given any SQLite value (what a row corrupted by hand, or written by
// an older release, can hold), then reads it back with task_from_row / execution_from_row /
// template_from_row. Input: the first line names the table (`task`, `execution`, `template`);
// each further line is `column=KIND:VALUE` with KIND `t` (text), `i` (integer), `r` (real) or `n`
// (NULL), over a valid baseline row. Properties: decoding a row either works or throws a
// std::runtime_error (the repository's error path), never UB or another exception; what decodes
// is written back by the codec's own column/value lists and decodes to the same value
// (decode -> encode -> decode is stable) and to the same API JSON.
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>
#include <charconv>
#include <map>
#include <memory>

#include "codec.hpp"
#include "migrations.hpp"
#include "support.hpp"
#include "task/codec/json_codec.hpp"

namespace json = boost::json;
using namespace task;
using namespace task::store::detail;

namespace {

const Dialect kSqlite{Backend::sqlite};

soci::session& db() {
  static std::unique_ptr<soci::session> s = [] {
    auto session = std::make_unique<soci::session>(*soci::factory_sqlite3(), "db=:memory:");
    apply_migrations(*session, kSqlite);
    return session;
  }();
  return *s;
}

using Row = std::map<std::string, std::string>;  // column -> "KIND:VALUE"

const Row kTask = {{"task_id", "t:tsk_000000000000000000000001"},
                   {"user_id", "t:fuzz"},
                   {"name", "t:n"},
                   {"task_type", "t:todo"},
                   {"status", "t:pending"},
                   {"priority", "t:medium"},
                   {"created_at", "i:1796083200000000"},
                   {"updated_at", "i:1796083200000000"}};
const Row kExecution = {{"execution_id", "t:exe_000000000000000000000001"},
                        {"task_id", "t:tsk_000000000000000000000001"},
                        {"user_id", "t:fuzz"},
                        {"status", "t:completed"},
                        {"started_at", "i:1796083200000000"},
                        {"created_at", "i:1796083200000000"}};
const Row kTemplate = {{"template_id", "t:tpl_fuzz"},        {"name", "t:n"},
                       {"category", "t:productivity"},       {"task_type", "t:todo"},
                       {"created_at", "i:1796083200000000"}, {"updated_at", "i:1796083200000000"}};

bool known_column(const std::string& c) {
  for (char ch : c)
    if (!(std::islower(static_cast<unsigned char>(ch)) || ch == '_')) return false;
  return !c.empty() && c.size() < 40;
}

/// Inserts `row` into `table` with typed bound values; false when SQLite refuses it.
bool insert(const std::string& table, const Row& row) {
  Params p;
  std::string cols, vals;
  for (const auto& [col, v] : row) {
    const char kind = v.empty() ? 'n' : v[0];
    const std::string text = v.size() > 2 ? v.substr(2) : std::string();
    std::string ph;
    if (kind == 'i') {
      std::int64_t i = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), i);
      if (ec != std::errc{}) return false;
      ph = p.add(i);
    } else if (kind == 'r') {
      double d = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
      if (ec != std::errc{} && ec != std::errc::result_out_of_range) return false;
      ph = p.add(d);
    } else if (kind == 't') {
      ph = p.add(text);
    } else {
      ph = p.add(std::optional<std::string>());
    }
    cols += (cols.empty() ? "" : ", ") + col;
    vals += (vals.empty() ? "" : ", ") + ph;
  }
  try {
    execute(db(), "INSERT INTO " + table + " (" + cols + ") VALUES (" + vals + ")", p);
  } catch (const soci::soci_error&) {
    return false;  // an unknown column, a NULL in a NOT NULL column: not a row the table holds
  }
  return true;
}

template <class T, class Decode>
std::optional<T> read_one(const std::string& columns, const std::string& table, Decode decode) {
  std::optional<T> out;
  Params p;
  query(db(), "SELECT " + columns + " FROM " + table, p, [&](const soci::row& r) {
    try {
      out = decode(r);
    } catch (const std::runtime_error&) {
      // The documented failure of a row that cannot be decoded (the repository's error path).
    }
  });
  return out;
}

/// Everything of a value that the codec writes: the API JSON plus the internal fields.
std::string fingerprint(const Task& t) {
  auto o = json::value_from(t).as_object();
  o["version"] = t.version;
  o["lease_owner"] = t.lease_owner ? json::value(*t.lease_owner) : json::value(nullptr);
  o["lease_expires_at"] = timestamp_or_null(t.lease_expires_at);
  o["reminder_sent_at"] = timestamp_or_null(t.reminder_sent_at);
  return to_json_text(o);
}
std::string fingerprint(const Execution& e) {
  return to_json_text(json::value_from(e));
}
std::string fingerprint(const Template& t) {
  return to_json_text(json::value_from(t));
}

template <class T>
bool finite(const T& v) {
  return !fuzz::has_non_finite(json::value_from(v));
}

template <class T, class Columns, class Decode, class Values>
void round_trip(const std::string& table, const Row& row, Columns columns, Decode decode,
                Values values) {
  db() << "DELETE FROM " + table;
  if (!insert(table, row)) return;
  const auto first = read_one<T>(columns(kSqlite), table, decode);
  db() << "DELETE FROM " + table;
  if (!first) return;
  if (!finite(*first)) {
    fuzz::known_finding(1, table + " row holds a number that is not finite");
    return;
  }
  const auto text = fingerprint(*first);
  if (!fuzz::valid_utf8(text)) {
    // A text column holding bytes that are not UTF-8 (only a database written by hand has them)
    // is copied into the JSON as is (docs/testing.md, "Known findings").
    fuzz::known_issue("store-invalid-utf8", "a text column that is not UTF-8 is written as is");
    return;
  }
  fuzz::check(fuzz::parse_any_json(text).has_value(), "decoded row's JSON does not parse", text);
  Params p;
  const auto [cols, vals] = values(kSqlite, *first, p);
  execute(db(), "INSERT INTO " + table + " (" + cols + ") VALUES (" + vals + ")", p);
  auto second = read_one<T>(columns(kSqlite), table, decode);
  fuzz::check(second.has_value(), "a row the codec wrote does not decode", text);
  second->id = first->id;
  const auto second_text = fingerprint(*second);
  fuzz::check(second_text == text ||
                  fuzz::same_json(*fuzz::parse_any_json(second_text), *fuzz::parse_any_json(text)),
              "decode -> encode -> decode differs", text + "\n   vs " + second_text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 16384) return 0;
  const std::string input(fuzz::as_text(data, size));
  std::size_t pos = input.find('\n');
  const std::string table = input.substr(0, pos);
  Row row = table == "execution" ? kExecution : table == "template" ? kTemplate : kTask;
  while (pos != std::string::npos && pos < input.size()) {
    const auto next = input.find('\n', pos + 1);
    const auto line =
        input.substr(pos + 1, next == std::string::npos ? std::string::npos : next - pos - 1);
    pos = next;
    const auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    const auto col = line.substr(0, eq);
    if (!known_column(col) || col == "id") continue;
    row[col] = line.substr(eq + 1);
  }
  if (table == "execution")
    round_trip<Execution>("task_executions", row, execution_columns, execution_from_row,
                          execution_values);
  else if (table == "template")
    round_trip<Template>("task_templates", row, template_columns, template_from_row,
                         template_values);
  else
    round_trip<Task>("user_tasks", row, task_columns, task_from_row, task_values);
  return 0;
}
