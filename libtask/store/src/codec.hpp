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

/// `col = excluded.col, ...` for every column of a column list "a, b, c".
std::string excluded_assignments(const std::string& columns);

/// Parses a stored enum string; throws std::runtime_error when it is not one.
template <class E>
E stored_enum(const std::string& s) {
  if (auto e = parse_enum<E>(s)) return *e;
  throw std::runtime_error("task::store: unknown stored value '" + s + "'");
}

}  // namespace task::store::detail
