// The store's row codec (libtask/store/src/codec.*) on the real backends: the column lists it
// derives from the record descriptions (task/domain/describe.hpp) are exactly the columns of the
// migrated tables, and rows are read by column name, not by position.
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <algorithm>
#include <boost/json/value_from.hpp>
#include <catch2/catch.hpp>
#include <memory>
#include <set>
#include <sstream>

#include "backend.hpp"
#include "codec.hpp"
#include "helpers.hpp"
#include "task/codec/json_codec.hpp"

using namespace task;
using namespace task::test;
using namespace task::store::detail;

namespace {

Dialect dialect_of(const Fixture& f) {
  return Dialect{f.postgres() ? Backend::postgres : Backend::sqlite};
}

std::unique_ptr<soci::session> open_session(const Fixture& f) {
  if (f.postgres())
    return std::make_unique<soci::session>(soci::postgresql,
                                           task::store::pg_conninfo_from_url(f.url()));
  return std::make_unique<soci::session>(soci::sqlite3, "db=" + f.url().substr(9));
}

/// The items of a list "a, b AS b, c" (the codec's lists hold no other commas).
std::vector<std::string> items(const std::string& list) {
  std::vector<std::string> out;
  std::string::size_type from = 0;
  for (auto at = list.find(", "); from != std::string::npos; at = list.find(", ", from)) {
    out.push_back(list.substr(from, at == std::string::npos ? at : at - from));
    from = at == std::string::npos ? at : at + 2;
  }
  return out;
}

std::set<std::string> table_columns(Fixture& f, const std::string& table) {
  const std::string names =
      f.postgres()
          ? f.query_text(
                "SELECT string_agg(column_name, ',') FROM "
                "information_schema.columns WHERE table_schema = 'task' AND "
                "table_name = '" +
                table + "'")
          : f.query_text("SELECT group_concat(name, ',') FROM pragma_table_info('" + table + "')");
  std::set<std::string> out;
  std::istringstream in(names);
  for (std::string n; std::getline(in, n, ',');)
    out.insert(n);
  return out;
}

template <class T, class Values>
std::set<std::string> codec_columns(const Dialect& d, Values values) {
  Params p;
  const auto cols = values(d, T{}, p).first;
  auto list = items(cols);
  std::set<std::string> out(list.begin(), list.end());
  out.insert("id");  // the row id: selected, assigned by the database
  return out;
}

}  // namespace

TEST_CASE("the codec's columns are exactly the columns of the migrated tables", "[codec]") {
  Fixture f;
  if (!f.sql()) return;  // task::memory has no schema
  const Dialect d = dialect_of(f);
  CHECK(codec_columns<Task>(d, task_values) == table_columns(f, "user_tasks"));
  CHECK(codec_columns<Execution>(d, execution_values) == table_columns(f, "task_executions"));
  CHECK(codec_columns<Template>(d, template_values) == table_columns(f, "task_templates"));
  // The SELECT list names every column it reads (a wrapped one under an alias) in the same order.
  CHECK(items(task_columns(d)).size() == codec_columns<Task>(d, task_values).size());
}

TEST_CASE("rows are decoded by column name, in any column order", "[codec]") {
  Fixture f;
  if (!f.sql()) return;
  const Dialect d = dialect_of(f);
  Task t = make_task("u", 1);
  t.description = "by name";
  t.tags = {"a", "b"};
  t.config = boost::json::object{{"k", 1.25}};
  t.is_completed = true;
  t.reminder_time = at(5 * kSec);
  const Task stored = f.repo().insert_task(t, {});
  const auto want = f.repo().find_task(stored.task_id);
  REQUIRE(want);

  auto cols = items(task_columns(d));
  std::reverse(cols.begin(), cols.end());
  std::string reversed;
  for (const auto& c : cols)
    reversed += (reversed.empty() ? "" : ", ") + c;
  auto s = open_session(f);
  std::vector<Task> got;
  Params p;
  query(*s,
        "SELECT " + reversed + " FROM " + d.table("user_tasks") +
            " WHERE task_id = " + p.add(stored.task_id),
        p, [&](const soci::row& r) { got.push_back(task_from_row(r)); });
  REQUIRE(got.size() == 1);
  CHECK(to_json_text(boost::json::value_from(got[0])) ==
        to_json_text(boost::json::value_from(*want)));
  CHECK(got[0].version == want->version);
  CHECK(got[0].is_completed);
  CHECK(got[0].tags == t.tags);

  // A row without a column the record needs is an error naming the column, never a shifted read.
  cols.erase(std::remove(cols.begin(), cols.end(), "status"), cols.end());
  std::string without_status;
  for (const auto& c : cols)
    without_status += (without_status.empty() ? "" : ", ") + c;
  Params q;
  query(*s,
        "SELECT " + without_status + " FROM " + d.table("user_tasks") +
            " WHERE task_id = " + q.add(stored.task_id),
        q, [&](const soci::row& r) {
          CHECK_THROWS_WITH(task_from_row(r), Catch::Contains("no column 'status'"));
        });
}
