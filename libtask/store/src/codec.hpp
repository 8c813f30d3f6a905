#pragma once
/// Column lists and the mapping between rows and the domain structs, written once for both
/// backends (the dialect wraps JSON, tag and boolean columns).
#include <soci/soci.h>

#include <string>

#include "dialect.hpp"
#include "sql_exec.hpp"
#include "task/domain/model.hpp"

namespace task::store::detail {

/// SELECT list of a task row, in the order task_from_row reads it.
std::string task_columns(const Dialect& d);
Task task_from_row(const soci::row& r);
/// The column names (without id) and bound values of a task, in matching order.
std::pair<std::string, std::string> task_values(const Dialect& d, const Task& t, Params& p);
/// `col = value, ...` for an UPDATE of every task column (without id).
std::string task_assignments(const Dialect& d, const Task& t, Params& p);

std::string execution_columns(const Dialect& d);
Execution execution_from_row(const soci::row& r);
std::pair<std::string, std::string> execution_values(const Dialect& d, const Execution& e,
                                                     Params& p);

std::string template_columns(const Dialect& d);
Template template_from_row(const soci::row& r);
std::pair<std::string, std::string> template_values(const Dialect& d, const Template& t, Params& p);

/// PostgreSQL: the columns of many rows as one array literal per column, bound as
/// `unnest(CAST(:a AS type[]), ...)`, so a batch of any size is one statement text (prepared once
/// per session) with one bound value per column instead of one per cell.
struct ArrayColumns {
  std::vector<std::string> names;
  std::vector<std::string> types;     ///< the array's element type ("text", "bigint", ...)
  std::vector<std::string> literals;  ///< `{...}`: one element per row
  std::vector<std::string> values;    ///< the column's value from alias `v` ("v.x", a cast)
  /// `unnest(CAST(:p AS t[]), ...) AS v(a, b, ...)`, binding the literals to `p`.
  std::string unnest(Params& p) const;
  /// "a, b, c" from column `from` on.
  std::string column_list(std::size_t from = 0) const;
  /// "v.a, v.b, ..." from column `from` on.
  std::string value_list(std::size_t from = 0) const;
  /// "a = v.a, b = v.b, ..." from column `from` on.
  std::string assignments(std::size_t from = 0) const;
};
/// Every column of the tasks, the row id first. With `before` (the rows as read, parallel to
/// `rows`; null = unknown), only the columns that differ from it in at least one row: the others
/// keep their stored values, so an UPDATE neither sends nor parses them.
ArrayColumns task_arrays(const std::vector<const Task*>& rows,
                         const std::vector<const Task*>* before = nullptr);
/// Every column of the executions but the row id.
ArrayColumns execution_arrays(const std::vector<const Execution*>& rows);
/// The outbox columns of the events.
ArrayColumns event_arrays(const std::vector<const Event*>& rows);

/// `col = excluded.col, ...` for every column of a column list "a, b, c".
std::string excluded_assignments(const std::string& columns);

/// Parses a stored enum string; throws std::runtime_error when it is not one.
template <class E>
E stored_enum(const std::string& s) {
  if (auto e = parse_enum<E>(s)) return *e;
  throw std::runtime_error("task::store: unknown stored value '" + s + "'");
}

}  // namespace task::store::detail
