#include "codec.hpp"

#include <charconv>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <type_traits>

#include "task/domain/describe.hpp"

namespace task::store::detail {

namespace {

namespace json = boost::json;

/// Name of the generated row id: selected, never written by the value lists (the database
/// assigns it; callers that write it, restore and the batched upsert, bind it themselves).
constexpr std::string_view kRowId = "id";

/// How a field's column differs between the backends (see Dialect).
enum class ColumnKind { plain, json, tags, boolean };

template <class F>
constexpr ColumnKind column_kind() {
  if constexpr (std::is_same_v<F, json::object> || std::is_same_v<F, std::optional<json::object>> ||
                std::is_same_v<F, json::value>)
    return ColumnKind::json;
  else if constexpr (std::is_same_v<F, std::vector<std::string>>)
    return ColumnKind::tags;
  else if constexpr (std::is_same_v<F, bool>)
    return ColumnKind::boolean;
  else
    return ColumnKind::plain;
}

/// The SELECT expression of a column, named after the field so rows are read by name.
std::string select_expr(const Dialect& d, const std::string& col, ColumnKind kind) {
  std::string expr;
  switch (kind) {
    case ColumnKind::plain:
      return col;
    case ColumnKind::json:
      expr = d.json_out(col);
      break;
    case ColumnKind::tags:
      expr = d.tags_out(col);
      break;
    case ColumnKind::boolean:
      expr = d.bool_out(col);
      break;
  }
  return expr == col ? col : expr + " AS " + col;
}

std::string object_text(const json::object& o) {
  return *json_text(json::value(o), false);
}

// ---- one field as a bound value, by type --------------------------------------------------------

template <class F>
requires(!std::is_enum_v<F>) std::string bind_field(const Dialect&, Params& p, const F& f) {
  return p.add(f);  // text, integers, doubles, booleans, timestamps (and their optionals)
}
template <class E>
requires std::is_enum_v<E> std::string bind_field(const Dialect&, Params& p, E e) {
  return p.add(std::string(to_string(e)));
}
std::string bind_field(const Dialect& d, Params& p, const json::object& o) {
  return d.json_in(p.add(object_text(o)));
}
std::string bind_field(const Dialect& d, Params& p, const std::optional<json::object>& o) {
  return d.json_in(p.add(o ? std::optional<std::string>(object_text(*o)) : std::nullopt));
}
std::string bind_field(const Dialect& d, Params& p, const json::value& v) {
  return d.json_in(p.add(json_text(v, true)));
}
std::string bind_field(const Dialect& d, Params& p, const std::vector<std::string>& v) {
  return d.tags_in(p.add(tags_text(d, v)));
}

// ---- one column of a row, by the field's type ---------------------------------------------------

void read_column(const soci::row& r, std::size_t i, std::int64_t& f) {
  f = col_i64(r, i);
}
void read_column(const soci::row& r, std::size_t i, std::optional<std::int64_t>& f) {
  f = col_opt_i64(r, i);
}
void read_column(const soci::row& r, std::size_t i, double& f) {
  f = col_double(r, i);
}
void read_column(const soci::row& r, std::size_t i, bool& f) {
  f = col_i64(r, i) != 0;
}
void read_column(const soci::row& r, std::size_t i, std::string& f) {
  f = col_str(r, i);
}
void read_column(const soci::row& r, std::size_t i, std::optional<std::string>& f) {
  f = col_opt_str(r, i);
}
void read_column(const soci::row& r, std::size_t i, Timestamp& f) {
  f = col_time(r, i);
}
void read_column(const soci::row& r, std::size_t i, std::optional<Timestamp>& f) {
  f = col_opt_time(r, i);
}
void read_column(const soci::row& r, std::size_t i, json::value& f) {
  f = col_json(r, i);
}
void read_column(const soci::row& r, std::size_t i, json::object& f) {
  auto v = col_json(r, i);
  f = v.is_object() ? std::move(v.as_object()) : json::object{};
}
void read_column(const soci::row& r, std::size_t i, std::optional<json::object>& f) {
  auto v = col_json(r, i);
  f = v.is_object() ? std::optional<json::object>(std::move(v.as_object())) : std::nullopt;
}
void read_column(const soci::row& r, std::size_t i, std::vector<std::string>& f) {
  f = col_strings(r, i);
}
template <class E>
requires std::is_enum_v<E>
void read_column(const soci::row& r, std::size_t i, E& f) {
  f = stored_enum<E>(col_str(r, i));
}

/// Position of the column `name` in a row; `hint` (the field's position in the column list) is
/// tried first. Throws std::runtime_error when the row has no such column.
std::size_t column_index(const soci::row& r, std::string_view name, std::size_t hint) {
  if (hint < r.size() && r.get_properties(hint).get_name() == name) return hint;
  for (std::size_t i = 0; i < r.size(); ++i)
    if (r.get_properties(i).get_name() == name) return i;
  throw std::runtime_error("task::store: the row has no column '" + std::string(name) + "'");
}

// ---- one record, by its description (task/domain/describe.hpp) ----------------------------------

template <class T>
std::string columns_of(const Dialect& d) {
  std::string out;
  boost::mp11::mp_for_each<Fields<T>>([&](auto f) {
    using F = std::remove_cvref_t<decltype(std::declval<const T&>().*f.pointer)>;
    if (!out.empty()) out += ", ";
    out += select_expr(d, f.name, column_kind<F>());
  });
  return out;
}

template <class T>
T from_row(const soci::row& r) {
  T record{};
  std::size_t position = 0;
  boost::mp11::mp_for_each<Fields<T>>(
      [&](auto f) { read_column(r, column_index(r, f.name, position++), record.*f.pointer); });
  return record;
}

/// Matching column, value and `col = value` lists of every field but the row id.
struct ValueList {
  std::string columns;
  std::string values;
  std::string assignments;
};

template <class T>
ValueList values_of(const Dialect& d, const T& record, Params& p) {
  ValueList v;
  boost::mp11::mp_for_each<Fields<T>>([&](auto f) {
    if constexpr (decltype(f)::name != kRowId) {
      const std::string placeholder = bind_field(d, p, record.*f.pointer);
      if (!v.columns.empty()) {
        v.columns += ", ";
        v.values += ", ";
        v.assignments += ", ";
      }
      v.columns += f.name;
      v.values += placeholder;
      v.assignments += std::string(f.name) + " = " + placeholder;
    }
  });
  return v;
}

/// The column list of T for the backend of `d`, built once per backend (it is in every read).
template <class T>
const std::string& cached_columns(const Dialect& d) {
  static const std::string sqlite = columns_of<T>(Dialect{Backend::sqlite});
  static const std::string postgres = columns_of<T>(Dialect{Backend::postgres});
  return d.pg() ? postgres : sqlite;
}

// ---- columns of many rows as PostgreSQL array literals (ArrayColumns) ------------------------

/// One column being built: the element type, the value expression and the literal so far.
struct ArrayColumn {
  std::string type;
  bool tag_list = false;
  std::string literal = "{";

  void open() {
    if (literal.size() > 1) literal += ',';
  }
  void null() {
    open();
    literal += "NULL";
  }
  void quoted(std::string_view s) {
    open();
    literal += '"';
    for (const char c : s) {
      if (c == '"' || c == '\\') literal += '\\';
      literal += c;
    }
    literal += '"';
  }
  void number(std::int64_t v) {
    open();
    literal += std::to_string(v);
  }
  void number(double v) {
    open();
    if (std::isnan(v)) {
      literal += "NaN";
    } else if (std::isinf(v)) {
      literal += v > 0 ? "Infinity" : "-Infinity";
    } else {
      char buf[32];
      const auto r = std::to_chars(buf, buf + sizeof buf, v);  // shortest exact round trip
      literal.append(buf, r.ptr);
    }
  }
};

template <class F>
std::string array_type() {
  if constexpr (std::is_same_v<F, std::int64_t> || std::is_same_v<F, std::optional<std::int64_t>> ||
                std::is_same_v<F, Timestamp> || std::is_same_v<F, std::optional<Timestamp>>)
    return "bigint";
  else if constexpr (std::is_same_v<F, double>)
    return "double precision";
  else if constexpr (std::is_same_v<F, bool>)
    return "boolean";
  else if constexpr (column_kind<F>() == ColumnKind::json)
    return "jsonb";
  else
    return "text";  // text, enums, and tag lists (their literal text, cast per row)
}

void append(const Dialect&, ArrayColumn& c, const std::string& v) {
  c.quoted(v);
}
void append(const Dialect&, ArrayColumn& c, const std::optional<std::string>& v) {
  v ? c.quoted(*v) : c.null();
}
void append(const Dialect&, ArrayColumn& c, std::int64_t v) {
  c.number(v);
}
void append(const Dialect&, ArrayColumn& c, const std::optional<std::int64_t>& v) {
  v ? c.number(*v) : c.null();
}
void append(const Dialect&, ArrayColumn& c, double v) {
  c.number(v);
}
void append(const Dialect&, ArrayColumn& c, bool v) {
  c.open();
  c.literal += v ? "t" : "f";
}
void append(const Dialect&, ArrayColumn& c, Timestamp v) {
  c.number(to_unix_micros(v));
}
void append(const Dialect&, ArrayColumn& c, const std::optional<Timestamp>& v) {
  v ? c.number(to_unix_micros(*v)) : c.null();
}
void append(const Dialect&, ArrayColumn& c, const json::object& v) {
  c.quoted(object_text(v));
}
void append(const Dialect&, ArrayColumn& c, const std::optional<json::object>& v) {
  v ? c.quoted(object_text(*v)) : c.null();
}
void append(const Dialect&, ArrayColumn& c, const json::value& v) {
  const auto text = json_text(v, true);
  text ? c.quoted(*text) : c.null();
}
void append(const Dialect& d, ArrayColumn& c, const std::vector<std::string>& v) {
  c.quoted(tags_text(d, v));
}
template <class E>
requires std::is_enum_v<E>
void append(const Dialect&, ArrayColumn& c, E e) {
  c.quoted(to_string(e));
}

void add_column(ArrayColumns& out, std::string_view name, ArrayColumn&& c) {
  out.names.emplace_back(name);
  out.types.push_back(std::move(c.type));
  out.values.push_back(c.tag_list ? "CAST(v." + std::string(name) + " AS TEXT[])"
                                  : "v." + std::string(name));
  out.literals.push_back(std::move(c.literal) + "}");
}

/// The columns of `rows` (all but the row id unless `with_id`), one array literal each.
template <class T>
ArrayColumns arrays_of(const std::vector<const T*>& rows, bool with_id,
                       const std::vector<const T*>* before = nullptr) {
  const Dialect pg{Backend::postgres};
  ArrayColumns out;
  boost::mp11::mp_for_each<Fields<T>>([&](auto f) {
    using F = std::remove_cvref_t<decltype(std::declval<const T&>().*f.pointer)>;
    if constexpr (decltype(f)::name == kRowId) {
      if (!with_id) return;
    } else {
      if (before) {  // leave out a column no row changes
        bool changed = false;
        for (std::size_t i = 0; i < rows.size() && !changed; ++i)
          changed = !(*before)[i] || !(rows[i]->*f.pointer == (*before)[i]->*f.pointer);
        if (!changed) return;
      }
    }
    ArrayColumn c;
    c.type = array_type<F>();
    c.tag_list = column_kind<F>() == ColumnKind::tags;
    for (const T* row : rows)
      append(pg, c, row->*f.pointer);
    add_column(out, f.name, std::move(c));
  });
  return out;
}

}  // namespace

std::string ArrayColumns::unnest(Params& p) const {
  std::string out = "unnest(";
  for (std::size_t i = 0; i < names.size(); ++i)
    out += (i ? ", CAST(" : "CAST(") + p.add(literals[i]) + " AS " + types[i] + "[])";
  return out + ") AS v(" + column_list() + ")";
}

std::string ArrayColumns::column_list(std::size_t from) const {
  std::string out;
  for (std::size_t i = from; i < names.size(); ++i)
    out += (out.empty() ? "" : ", ") + names[i];
  return out;
}

std::string ArrayColumns::value_list(std::size_t from) const {
  std::string out;
  for (std::size_t i = from; i < names.size(); ++i)
    out += (out.empty() ? "" : ", ") + values[i];
  return out;
}

std::string ArrayColumns::assignments(std::size_t from) const {
  std::string out;
  for (std::size_t i = from; i < names.size(); ++i)
    out += (out.empty() ? "" : ", ") + names[i] + " = " + values[i];
  return out;
}

ArrayColumns task_arrays(const std::vector<const Task*>& rows,
                         const std::vector<const Task*>* before) {
  return arrays_of(rows, true, before && before->size() == rows.size() ? before : nullptr);
}

ArrayColumns execution_arrays(const std::vector<const Execution*>& rows) {
  return arrays_of(rows, false);
}

ArrayColumns event_arrays(const std::vector<const Event*>& rows) {
  const Dialect pg{Backend::postgres};
  ArrayColumns out;
  auto column = [&](std::string_view name, const char* type, auto get) {
    ArrayColumn c;
    c.type = type;
    for (const Event* e : rows)
      append(pg, c, get(*e));
    add_column(out, name, std::move(c));
  };
  auto opt = [](const std::string& v) {
    return v.empty() ? std::nullopt : std::optional<std::string>(v);
  };
  column("event_id", "text", [](const Event& e) -> const std::string& { return e.id; });
  column("type", "text", [](const Event& e) -> const std::string& { return e.type; });
  column("task_id", "text", [](const Event& e) -> const std::string& { return e.task_id; });
  column("user_id", "text", [](const Event& e) -> const std::string& { return e.user_id; });
  column("time", "bigint", [](const Event& e) { return e.time; });
  column("data", "jsonb", [](const Event& e) -> const json::object& { return e.data; });
  column("traceparent", "text", [&](const Event& e) { return opt(e.traceparent); });
  column("tracestate", "text", [&](const Event& e) { return opt(e.tracestate); });
  return out;
}

std::string task_columns(const Dialect& d) {
  return cached_columns<Task>(d);
}
Task task_from_row(const soci::row& r) {
  return from_row<Task>(r);
}
std::pair<std::string, std::string> task_values(const Dialect& d, const Task& t, Params& p) {
  auto v = values_of(d, t, p);
  return {v.columns, v.values};
}
std::string task_assignments(const Dialect& d, const Task& t, Params& p) {
  return values_of(d, t, p).assignments;
}

std::string execution_columns(const Dialect& d) {
  return cached_columns<Execution>(d);
}
Execution execution_from_row(const soci::row& r) {
  return from_row<Execution>(r);
}
std::pair<std::string, std::string> execution_values(const Dialect& d, const Execution& e,
                                                     Params& p) {
  auto v = values_of(d, e, p);
  return {v.columns, v.values};
}

std::string template_columns(const Dialect& d) {
  return columns_of<Template>(d);
}
Template template_from_row(const soci::row& r) {
  return from_row<Template>(r);
}
std::pair<std::string, std::string> template_values(const Dialect& d, const Template& t,
                                                    Params& p) {
  auto v = values_of(d, t, p);
  return {v.columns, v.values};
}

std::string excluded_assignments(const std::string& columns) {
  std::string out;
  std::istringstream in(columns);
  std::string col;
  while (std::getline(in, col, ',')) {
    const auto b = col.find_first_not_of(' ');
    col = col.substr(b);
    out += (out.empty() ? "" : ", ") + col + " = excluded." + col;
  }
  return out;
}

}  // namespace task::store::detail
