#include "sql_exec.hpp"

#include <soci/sqlite3/soci-sqlite3.h>

#include <boost/json/serialize.hpp>
#include <chrono>
#include <stdexcept>

#include "statement_latency_cell.hpp"

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

bool Params::same_shape(const Params& other) const {
  if (values_.size() != other.values_.size()) return false;
  for (std::size_t i = 0; i < values_.size(); ++i)
    if (values_[i].kind != other.values_[i].kind) return false;
  return true;
}

void Params::copy_values_from(const Params& other) {
  for (std::size_t i = 0; i < values_.size(); ++i) {
    Value& v = values_[i];
    const Value& o = other.values_[i];
    v.s = o.s;
    v.i = o.i;
    v.d = o.d;
    v.ind = o.ind;
  }
}

CachedStatement* StatementCache::get(soci::session& s, const std::string& sql, const Params& params,
                                     bool has_row) {
  ++clock_;
  if (auto it = map_.find(sql); it != map_.end()) {
    CachedStatement& c = *it->second;
    if (c.has_row == has_row && c.params.same_shape(params)) {
      c.params.copy_values_from(params);
      c.last_used = clock_;
      return &c;
    }
    map_.erase(it);  // same text, other bindings: prepare again
  } else {
    const std::size_t h = std::hash<std::string>{}(sql);
    if (seen_.size() >= 4 * kCapacity) seen_.clear();
    if (seen_.emplace(h, true).second) return nullptr;  // first sighting: run it once
    seen_.erase(h);
  }
  if (map_.size() >= kCapacity) {
    auto victim = map_.begin();
    for (auto it = map_.begin(); it != map_.end(); ++it)
      if (it->second->last_used < victim->second->last_used) victim = it;
    map_.erase(victim);
  }
  auto c = std::make_unique<CachedStatement>(s);
  c->params = params;
  c->has_row = has_row;
  c->last_used = clock_;
  c->latency = &latency_cell(sql);
  if (has_row) c->st.exchange(soci::into(c->row));
  c->params.bind(c->st);
  c->st.alloc();
  c->st.prepare(sql, soci::details::st_repeatable_query);
  c->st.define_and_bind();
  CachedStatement* out = c.get();
  map_[sql] = std::move(c);
  return out;
}

namespace {
thread_local PooledSession* t_leased = nullptr;
}  // namespace

LeasedSession::LeasedSession(PooledSession& session) : previous_(t_leased) {
  t_leased = &session;
}

LeasedSession::~LeasedSession() {
  t_leased = previous_;
}

PooledSession* LeasedSession::of(soci::session& s) {
  return t_leased && static_cast<soci::session*>(t_leased) == &s ? t_leased : nullptr;
}

namespace {

/// Records the time since construction in a latency cell.
class Timed {
 public:
  explicit Timed(StatementLatencyCell* cell) : cell_(cell) {}
  ~Timed() {
    if (cell_)
      cell_->observe(static_cast<std::uint64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start_).count()));
  }
  Timed(const Timed&) = delete;
  Timed& operator=(const Timed&) = delete;

 private:
  using Clock = std::chrono::steady_clock;
  StatementLatencyCell* cell_;
  Clock::time_point start_ = Clock::now();
};

/// The cached statement for `sql` when `s` is a pooled session that has one (or prepares one).
CachedStatement* cached(soci::session& s, const std::string& sql, const Params& params,
                        bool has_row) {
  PooledSession* pooled = LeasedSession::of(s);
  return pooled ? pooled->statements().get(s, sql, params, has_row) : nullptr;
}

/// Ends a run of a cached statement. An SQLite statement that stopped before SQLITE_DONE (a
/// write with RETURNING run by `execute`, an error, a throwing `on_row`) would keep its
/// transaction or read snapshot open: sqlite3_reset ends it. A PostgreSQL result is complete on
/// the client already; the prepared statement stays usable after errors.
void finish(soci::session& s, CachedStatement& c) {
  if (!LeasedSession::of(s)->sqlite) return;
  auto* backend = static_cast<soci::sqlite3_statement_backend*>(c.st.get_backend());
  if (backend && backend->stmt_) sqlite3_reset(backend->stmt_);
}

/// Calls finish() when leaving a scope, normally or by an exception.
struct Finish {
  soci::session& s;
  CachedStatement& c;
  ~Finish() { finish(s, c); }
};

}  // namespace

void query(soci::session& s, const std::string& sql, Params& params,
           const std::function<void(const soci::row&)>& on_row) {
  if (CachedStatement* c = cached(s, sql, params, true)) {
    Timed timed(c->latency);
    Finish finish_guard{s, *c};
    bool got = c->st.execute(true);
    while (got) {
      on_row(c->row);
      got = c->st.fetch();
    }
    return;
  }
  Timed timed(&latency_cell(sql));
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
  if (CachedStatement* c = cached(s, sql, params, false)) {
    Timed timed(c->latency);
    Finish finish_guard{s, *c};
    c->st.execute(true);
    return c->st.get_affected_rows();
  }
  Timed timed(&latency_cell(sql));
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
  // The common empty values (config, metadata, trigger data, tags) without a parser.
  if (*text == "{}") return boost::json::object{};
  if (*text == "[]") return boost::json::array{};
  if (*text == "null") return nullptr;
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
