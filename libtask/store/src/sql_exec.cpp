#include "sql_exec.hpp"

#include <boost/json/serialize.hpp>
#include <stdexcept>

#include "task/codec/json_codec.hpp"
#include "task/codec/json_numbers.hpp"

namespace task::store::detail {

Params::Value& Params::push(Value::Kind kind) {
  Value& v = values_.emplace_back();
  v.kind = kind;
  v.name = "p" + std::to_string(values_.size());
  return v;
}

std::string Params::add(std::string s) {
  Value& v = push(Value::text);
  v.s = std::move(s);
  return ":" + v.name;
}

std::string Params::add(const std::optional<std::string>& s) {
  Value& v = push(Value::text);
  if (s) v.s = *s;
  v.ind = s ? soci::i_ok : soci::i_null;
  return ":" + v.name;
}

std::string Params::add(std::int64_t i) {
  Value& v = push(Value::integer);
  v.i = i;
  return ":" + v.name;
}

std::string Params::add(const std::optional<std::int64_t>& i) {
  Value& v = push(Value::integer);
  v.i = i.value_or(0);
  v.ind = i ? soci::i_ok : soci::i_null;
  return ":" + v.name;
}

std::string Params::add(double d) {
  Value& v = push(Value::real);
  v.d = d;
  return ":" + v.name;
}

std::string Params::add(const std::optional<Timestamp>& t) {
  return add(t ? std::optional<std::int64_t>(to_unix_micros(*t)) : std::nullopt);
}

void Params::bind(soci::statement& st) {
  for (Value& v : values_) {
    switch (v.kind) {
      case Value::text:
        st.exchange(soci::use(v.s, v.ind, v.name));
        break;
      case Value::integer:
        st.exchange(soci::use(v.i, v.ind, v.name));
        break;
      case Value::real:
        st.exchange(soci::use(v.d, v.ind, v.name));
        break;
    }
  }
}

void query(soci::session& s, const std::string& sql, Params& params,
           const std::function<void(const soci::row&)>& on_row) {
  soci::row r;
  soci::statement st(s);
  st.exchange(soci::into(r));
  params.bind(st);
  st.alloc();
  st.prepare(sql, soci::details::st_one_time_query);  // PQexecParams: one round trip
  st.define_and_bind();
  bool got = st.execute(true);
  while (got) {
    on_row(r);
    got = st.fetch();
  }
}

std::int64_t execute(soci::session& s, const std::string& sql, Params& params) {
  soci::statement st(s);
  params.bind(st);
  st.alloc();
  st.prepare(sql, soci::details::st_one_time_query);  // PQexecParams: one round trip
  st.define_and_bind();
  st.execute(true);
  return st.get_affected_rows();
}

std::optional<std::int64_t> query_int(soci::session& s, const std::string& sql, Params& params) {
  std::optional<std::int64_t> out;
  query(s, sql, params, [&](const soci::row& r) {
    if (!out) out = col_opt_i64(r, 0);
  });
  return out;
}

bool is_null(const soci::row& r, std::size_t i) {
  return r.get_indicator(i) == soci::i_null;
}

std::int64_t col_i64(const soci::row& r, std::size_t i) {
  if (is_null(r, i))
    throw std::runtime_error("task::store: unexpected NULL in column " + std::to_string(i));
  switch (r.get_properties(i).get_data_type()) {
    case soci::dt_integer:
      return r.get<int>(i);
    case soci::dt_long_long:
      return r.get<long long>(i);
    case soci::dt_unsigned_long_long:
      return static_cast<std::int64_t>(r.get<unsigned long long>(i));
    case soci::dt_double:
      return static_cast<std::int64_t>(r.get<double>(i));
    case soci::dt_string:
      return std::stoll(r.get<std::string>(i));
    default:
      throw std::runtime_error("task::store: column " + std::to_string(i) + " is not an integer");
  }
}

std::optional<std::int64_t> col_opt_i64(const soci::row& r, std::size_t i) {
  if (is_null(r, i)) return std::nullopt;
  return col_i64(r, i);
}

double col_double(const soci::row& r, std::size_t i) {
  if (is_null(r, i)) return 0;
  switch (r.get_properties(i).get_data_type()) {
    case soci::dt_double:
      return r.get<double>(i);
    case soci::dt_string:
      return std::stod(r.get<std::string>(i));
    default:
      return static_cast<double>(col_i64(r, i));
  }
}

std::string col_str(const soci::row& r, std::size_t i) {
  return col_opt_str(r, i).value_or(std::string());
}

std::optional<std::string> col_opt_str(const soci::row& r, std::size_t i) {
  if (is_null(r, i)) return std::nullopt;
  if (r.get_properties(i).get_data_type() != soci::dt_string) return std::to_string(col_i64(r, i));
  return r.get<std::string>(i);
}

std::optional<Timestamp> col_opt_time(const soci::row& r, std::size_t i) {
  auto v = col_opt_i64(r, i);
  if (!v) return std::nullopt;
  return from_unix_micros(*v);
}

Timestamp col_time(const soci::row& r, std::size_t i) {
  return from_unix_micros(col_i64(r, i));
}

boost::json::value col_json(const soci::row& r, std::size_t i) {
  auto text = col_opt_str(r, i);
  if (!text) return nullptr;
  boost::system::error_code ec;
  auto v = parse_stored_json(*text, ec);
  if (ec)
    throw std::runtime_error("column " + r.get_properties(i).get_name() +
                             " is not JSON: " + ec.message());
  return v;
}

std::vector<std::string> col_strings(const soci::row& r, std::size_t i) {
  std::vector<std::string> out;
  auto v = col_json(r, i);
  if (!v.is_array()) return out;
  for (const auto& e : v.as_array())
    if (e.is_string()) out.emplace_back(e.as_string());
  return out;
}

std::optional<std::string> json_text(const boost::json::value& v, bool null_as_sql_null) {
  if (v.is_null() && null_as_sql_null) return std::nullopt;
  return to_json_text(v);  // exact numbers; never the `Infinity` Boost.JSON writes
}

std::string tags_text(const Dialect& d, const std::vector<std::string>& v) {
  if (!d.pg()) return strings_json(v);
  // A PostgreSQL array literal: every element double-quoted, `"` and `\` escaped by `\`.
  std::string out = "{";
  for (const auto& s : v) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (char c : s) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

std::string strings_json(const std::vector<std::string>& v) {
  boost::json::array a;
  for (const auto& s : v)
    a.emplace_back(s);
  return boost::json::serialize(a);
}

}  // namespace task::store::detail
