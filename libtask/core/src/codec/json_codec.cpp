#include "task/codec/json_codec.hpp"
#include "task/codec/json_text.hpp"

#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <map>
#include <type_traits>

#include "task/core/errors.hpp"
#include "task/domain/describe.hpp"
#include "task/service/task_service.hpp"

namespace task {
namespace json = boost::json;

namespace {

// ---- reading ---------------------------------------------------------------------------------

/// Reads fields of one wire object, reporting problems with their location.
class Reader {
 public:
  explicit Reader(const json::value& v) {
    if (!v.is_object()) throw ValidationError({"body"}, "expected a JSON object", "object_type");
    obj_ = &v.as_object();
  }

  const json::value* find(std::string_view key) const {
    auto it = obj_->find(key);
    return it == obj_->end() || it->value().is_null() ? nullptr : &it->value();
  }

  [[noreturn]] static void fail(std::string_view key, std::string msg, std::string type) {
    throw ValidationError({"body", std::string(key)}, std::move(msg), std::move(type));
  }

  std::string str(std::string_view key) const {
    auto s = opt_str(key);
    if (!s) fail(key, "field required", "missing");
    return *s;
  }
  std::optional<std::string> opt_str(std::string_view key) const {
    const auto* v = find(key);
    if (!v) return std::nullopt;
    if (!v->is_string()) fail(key, "must be a string", "string_type");
    return std::string(v->as_string());
  }
  std::int64_t integer(std::string_view key, std::int64_t def = 0) const {
    return opt_int(key).value_or(def);
  }
  std::optional<std::int64_t> opt_int(std::string_view key) const {
    const auto* v = find(key);
    if (!v) return std::nullopt;
    if (v->is_int64()) return v->as_int64();
    if (v->is_uint64() && v->as_uint64() <= INT64_MAX)
      return static_cast<std::int64_t>(v->as_uint64());
    if (v->is_double() && std::trunc(v->as_double()) == v->as_double() &&
        std::abs(v->as_double()) < 9e15)
      return static_cast<std::int64_t>(v->as_double());
    fail(key, "must be an integer", "int_type");
  }
  double number(std::string_view key, double def = 0) const {
    const auto* v = find(key);
    if (!v) return def;
    if (v->is_number()) return v->to_number<double>();
    fail(key, "must be a number", "float_type");
  }
  bool boolean(std::string_view key, bool def = false) const {
    const auto* v = find(key);
    if (!v) return def;
    if (!v->is_bool()) fail(key, "must be a boolean", "bool_type");
    return v->as_bool();
  }
  json::object object(std::string_view key) const {
    auto o = opt_object(key);
    return o ? std::move(*o) : json::object{};
  }
  std::optional<json::object> opt_object(std::string_view key) const {
    const auto* v = find(key);
    if (!v) return std::nullopt;
    if (!v->is_object()) fail(key, "must be an object", "dict_type");
    return v->as_object();
  }
  json::value any(std::string_view key) const {
    const auto* v = find(key);
    return v ? *v : json::value(nullptr);
  }
  std::vector<std::string> strings(std::string_view key) const {
    std::vector<std::string> out;
    const auto* v = find(key);
    if (!v) return out;
    if (!v->is_array()) fail(key, "must be an array of strings", "list_type");
    for (const auto& e : v->as_array()) {
      if (!e.is_string()) fail(key, "must be an array of strings", "string_type");
      out.emplace_back(e.as_string());
    }
    return out;
  }
  std::optional<Timestamp> opt_time(std::string_view key) const {
    auto s = opt_str(key);
    if (!s) return std::nullopt;
    auto t = parse_rfc3339(*s);
    if (!t) fail(key, "must be an RFC 3339 date-time", "datetime_parsing");
    return t;
  }
  Timestamp time(std::string_view key) const {
    auto t = opt_time(key);
    if (!t) fail(key, "field required", "missing");
    return *t;
  }
  template <class E>
  E enumeration(std::string_view key) const {
    const auto s = str(key);
    auto e = parse_enum<E>(s);
    if (!e) fail(key, "unknown value '" + s + "'", "enum");
    return *e;
  }

 private:
  const json::object* obj_ = nullptr;
};

// ---- text ------------------------------------------------------------------------------------

/// Shortest text that reads back as exactly `d` (std::to_chars). An integral double within the
/// int64/uint64 range is written as that integer (so -0 is 0 and 1e18 is 1000000000000000000):
/// the same text whether a store kept it as a double or, as PostgreSQL's jsonb does, as a
/// decimal that reads back as an integer. A non-finite double (never stored: see
/// find_unstorable) is written as null.
void write_number(std::string& out, double d) {
  if (!std::isfinite(d)) {
    out += "null";
    return;
  }
  char buf[32];
  char* end = buf;
  constexpr double kTwo63 = 9223372036854775808.0;
  if (std::trunc(d) == d && d >= -kTwo63 && d < 2 * kTwo63) {
    end = d < kTwo63 ? std::to_chars(buf, buf + sizeof buf, static_cast<std::int64_t>(d)).ptr
                     : std::to_chars(buf, buf + sizeof buf, static_cast<std::uint64_t>(d)).ptr;
  } else {
    end = std::to_chars(buf, buf + sizeof buf, d).ptr;
  }
  out.append(buf, static_cast<std::size_t>(end - buf));
}

/// A JSON string literal, escaped exactly as Boost.JSON's serializer does (the common case, no
/// character to escape, without building a std::string; any other through the serializer).
void write_string(std::string& out, std::string_view s) {
  for (char c : s)
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) {
      out += json::serialize(json::string_view(s.data(), s.size()));
      return;
    }
  out.reserve(out.size() + s.size() + 2);
  out.push_back('"');
  out.append(s);
  out.push_back('"');
}

void write_value(std::string& out, const json::value& v);

void write_object(std::string& out, const json::object& o) {
  out.push_back('{');
  bool first = true;
  for (const auto& kv : o) {
    if (!first) out.push_back(',');
    first = false;
    write_string(out, kv.key());
    out.push_back(':');
    write_value(out, kv.value());
  }
  out.push_back('}');
}

void write_value(std::string& out, const json::value& v) {
  switch (v.kind()) {
    case json::kind::double_:
      write_number(out, v.get_double());
      return;
    case json::kind::object:
      write_object(out, v.get_object());
      return;
    case json::kind::string:
      write_string(out, v.get_string());
      return;
    case json::kind::int64:
    case json::kind::uint64: {
      char buf[24];
      const auto r = v.is_int64() ? std::to_chars(buf, buf + sizeof buf, v.get_int64())
                                  : std::to_chars(buf, buf + sizeof buf, v.get_uint64());
      out.append(buf, static_cast<std::size_t>(r.ptr - buf));
      return;
    }
    case json::kind::bool_:
      out += v.get_bool() ? "true" : "false";
      return;
    case json::kind::null:
      out += "null";
      return;
    case json::kind::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& e : v.get_array()) {
        if (!first) out.push_back(',');
        first = false;
        write_value(out, e);
      }
      out.push_back(']');
      return;
    }
    default:
      out += json::serialize(v);
  }
}

// ---- one field, by type ----------------------------------------------------------------------

json::value field_json(std::int64_t v) {
  return v;
}
json::value field_json(double v) {
  return v;
}
json::value field_json(int v) {
  return static_cast<std::int64_t>(v);
}
json::value field_json(bool v) {
  return v;
}
json::value field_json(const std::string& s) {
  return json::value(s);
}
json::value field_json(Timestamp t) {
  return json::value(format_rfc3339(t));
}
json::value field_json(const json::value& v) {
  return v;
}
json::value field_json(const json::object& o) {
  return o;
}
template <class E>
requires std::is_enum_v<E> json::value field_json(E e) {
  return json::value(to_string(e));
}
template <class V>
json::value field_json(const std::vector<V>& v) {
  json::array a;
  a.reserve(v.size());
  for (const auto& e : v)
    a.push_back(field_json(e));
  return a;
}
json::value field_json(const std::map<std::string, std::int64_t>& m) {
  json::object o;
  for (const auto& [k, n] : m)
    o[k] = n;
  return o;
}
template <class V>
json::value field_json(const std::optional<V>& v) {
  return v ? field_json(*v) : json::value(nullptr);
}

// ---- one field straight to text (the same text as field_json's value through write_value) -----

void put_field(std::string& out, std::int64_t v) {
  char buf[24];
  out.append(buf, static_cast<std::size_t>(std::to_chars(buf, buf + sizeof buf, v).ptr - buf));
}
void put_field(std::string& out, double v) {
  write_number(out, v);
}
void put_field(std::string& out, int v) {
  put_field(out, static_cast<std::int64_t>(v));
}
void put_field(std::string& out, bool v) {
  out += v ? "true" : "false";
}
void put_field(std::string& out, const std::string& s) {
  write_string(out, s);
}
void put_field(std::string& out, Timestamp t) {
  write_string(out, format_rfc3339(t));
}
void put_field(std::string& out, const json::value& v) {
  write_value(out, v);
}
void put_field(std::string& out, const json::object& o) {
  write_object(out, o);
}
template <class E>
requires std::is_enum_v<E>
void put_field(std::string& out, E e) {
  write_string(out, to_string(e));
}
template <class V>
void put_field(std::string& out, const std::vector<V>& v) {
  out.push_back('[');
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i > 0) out.push_back(',');
    put_field(out, v[i]);
  }
  out.push_back(']');
}
template <class V>
void put_field(std::string& out, const std::optional<V>& v) {
  if (v)
    put_field(out, *v);
  else
    out += "null";
}

// Reading: a field missing from the object (or null) keeps the value of a default-constructed
// record, except strings, timestamps and enums, which are required.
void read_field(const Reader& r, std::string_view k, std::int64_t& f) {
  f = r.integer(k, f);
}
void read_field(const Reader& r, std::string_view k, std::optional<std::int64_t>& f) {
  f = r.opt_int(k);
}
void read_field(const Reader& r, std::string_view k, double& f) {
  f = r.number(k, f);
}
void read_field(const Reader& r, std::string_view k, bool& f) {
  f = r.boolean(k, f);
}
void read_field(const Reader& r, std::string_view k, std::string& f) {
  f = r.str(k);
}
void read_field(const Reader& r, std::string_view k, std::optional<std::string>& f) {
  f = r.opt_str(k);
}
void read_field(const Reader& r, std::string_view k, Timestamp& f) {
  f = r.time(k);
}
void read_field(const Reader& r, std::string_view k, std::optional<Timestamp>& f) {
  f = r.opt_time(k);
}
void read_field(const Reader& r, std::string_view k, json::value& f) {
  f = r.any(k);
}
void read_field(const Reader& r, std::string_view k, json::object& f) {
  f = r.object(k);
}
void read_field(const Reader& r, std::string_view k, std::optional<json::object>& f) {
  f = r.opt_object(k);
}
void read_field(const Reader& r, std::string_view k, std::vector<std::string>& f) {
  f = r.strings(k);
}
template <class E>
requires std::is_enum_v<E>
void read_field(const Reader& r, std::string_view k, E& f) {
  f = r.enumeration<E>(k);
}
void read_field(const Reader& r, std::string_view k, std::vector<int>& f) {
  const auto* v = r.find(k);
  if (!v) return;
  if (!v->is_array()) Reader::fail(k, "must be an array", "list_type");
  for (const auto& h : v->as_array()) {
    if (!h.is_int64()) Reader::fail(k, "must be integers", "int_type");
    f.push_back(static_cast<int>(h.as_int64()));
  }
}
void read_field(const Reader& r, std::string_view k, std::map<std::string, std::int64_t>& f) {
  for (const auto& [key, n] : r.object(k)) {
    if (!n.is_int64()) Reader::fail(k, "counts must be integers", "int_type");
    f[std::string(key)] = n.as_int64();
  }
}

// ---- one record, by its description (task/domain/describe.hpp) --------------------------------

/// Calls `fn(name, member pointer)` for every field of T that is part of the wire form.
template <class T, class Fn>
void for_each_wire_field(Fn&& fn) {
  boost::mp11::mp_for_each<Fields<T>>([&](auto d) {
    if constexpr (!listed(JsonSkip<T>::names, decltype(d)::name)) fn(d.name, d.pointer);
  });
}

template <class T>
void write_record(json::value& out, const T& record) {
  json::object o;
  for_each_wire_field<T>(
      [&](const char* name, auto member) { o[name] = field_json(record.*member); });
  out = std::move(o);
}

/// The wire text of a record without building its json::value (the text write_record's value
/// gives through to_json_text; the codec test compares the two).
template <class T>
void put_record(std::string& out, const T& record) {
  out.push_back('{');
  bool first = true;
  for_each_wire_field<T>([&](const char* name, auto member) {
    if (!first) out.push_back(',');
    first = false;
    out.push_back('"');
    out += name;  // the field names are plain identifiers: nothing to escape
    out += "\":";
    put_field(out, record.*member);
  });
  out.push_back('}');
}

template <class T>
T read_record(const json::value& v) {
  const Reader r(v);
  T record{};
  for_each_wire_field<T>(
      [&](const char* name, auto member) { read_field(r, name, record.*member); });
  return record;
}

}  // namespace

json::value timestamp_or_null(const std::optional<Timestamp>& t) {
  return t ? json::value(format_rfc3339(*t)) : json::value(nullptr);
}

std::string to_json_text(const json::value& v) {
  std::string out;
  write_value(out, v);
  return out;
}

// ---- records -----------------------------------------------------------------------------------

void tag_invoke(json::value_from_tag, json::value& out, const Task& t) {
  write_record(out, t);
}
Task tag_invoke(json::value_to_tag<Task>, const json::value& v) {
  return read_record<Task>(v);
}
void tag_invoke(json::value_from_tag, json::value& out, const Execution& e) {
  write_record(out, e);
}
Execution tag_invoke(json::value_to_tag<Execution>, const json::value& v) {
  return read_record<Execution>(v);
}
void tag_invoke(json::value_from_tag, json::value& out, const Template& t) {
  write_record(out, t);
}
Template tag_invoke(json::value_to_tag<Template>, const json::value& v) {
  return read_record<Template>(v);
}
void tag_invoke(json::value_from_tag, json::value& out, const Analytics& a) {
  write_record(out, a);
}
Analytics tag_invoke(json::value_to_tag<Analytics>, const json::value& v) {
  return read_record<Analytics>(v);
}

// ---- records straight to text ------------------------------------------------------------------

std::string to_json_text(const Task& t) {
  std::string out;
  out.reserve(1024);
  put_record(out, t);
  return out;
}
std::string to_json_text(const Execution& e) {
  std::string out;
  out.reserve(512);
  put_record(out, e);
  return out;
}
std::string to_json_text(const std::vector<Execution>& list) {
  std::string out;
  out.reserve(512 * list.size() + 2);
  out.push_back('[');
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (i > 0) out.push_back(',');
    put_record(out, list[i]);
  }
  out.push_back(']');
  return out;
}

std::string to_json_text(const TaskList& list) {
  std::string out;
  out.reserve(1024 * list.tasks.size() + 256);
  out += "{\"count\":";
  put_field(out, static_cast<std::int64_t>(list.tasks.size()));
  out += ",\"tasks\":[";
  for (std::size_t i = 0; i < list.tasks.size(); ++i) {
    if (i > 0) out.push_back(',');
    put_record(out, list.tasks[i]);
  }
  out += "],\"total\":";
  put_field(out, list.total);
  out += ",\"limit\":";
  put_field(out, list.limit);
  out += ",\"offset\":";
  put_field(out, list.offset);
  out += ",\"next_cursor\":";
  put_field(out, list.next_cursor);
  out += ",\"filters\":";
  put_field(out, list.filters);
  out.push_back('}');
  return out;
}

// ---- task list page ----------------------------------------------------------------------------

void tag_invoke(json::value_from_tag, json::value& out, const TaskList& list) {
  json::array tasks;
  tasks.reserve(list.tasks.size());
  for (const auto& t : list.tasks)
    tasks.push_back(json::value_from(t));
  json::object o;
  o["count"] = static_cast<std::int64_t>(list.tasks.size());
  o["tasks"] = std::move(tasks);
  o["total"] = list.total;
  o["limit"] = list.limit;
  o["offset"] = list.offset;
  o["next_cursor"] = list.next_cursor ? json::value(*list.next_cursor) : json::value(nullptr);
  o["filters"] = list.filters;
  out = std::move(o);
}

// ---- CloudEvents -----------------------------------------------------------------------------

json::object to_cloudevent(const Event& e) {
  json::object o;
  o["specversion"] = "1.0";
  o["id"] = e.id;
  o["source"] = "task_service";
  o["type"] = e.type;
  o["time"] = format_rfc3339(e.time);
  o["datacontenttype"] = "application/json";
  o["subject"] = e.task_id;
  if (!e.traceparent.empty()) o["traceparent"] = e.traceparent;
  if (!e.tracestate.empty()) o["tracestate"] = e.tracestate;
  o["data"] = e.data;
  return o;
}

std::optional<Event> from_cloudevent(const json::value& v) {
  const auto* o = v.if_object();
  if (!o) return std::nullopt;
  auto text = [&](std::string_view k) -> std::optional<std::string> {
    auto it = o->find(k);
    if (it == o->end() || !it->value().is_string()) return std::nullopt;
    return std::string(it->value().as_string());
  };
  const auto spec = text("specversion");
  const auto id = text("id");
  const auto type = text("type");
  const auto time = text("time");
  const auto source = text("source");
  auto data = o->find("data");
  if (spec != "1.0" || source != "task_service" || !id || !type || !time || data == o->end() ||
      !data->value().is_object())
    return std::nullopt;
  const auto t = parse_rfc3339(*time);
  if (!t) return std::nullopt;
  Event e;
  e.id = *id;
  e.type = *type;
  e.time = *t;
  e.data = data->value().as_object();
  e.traceparent = text("traceparent").value_or("");
  e.tracestate = text("tracestate").value_or("");
  auto field = [&](std::string_view k) {
    auto it = e.data.find(k);
    return it != e.data.end() && it->value().is_string() ? std::string(it->value().as_string())
                                                         : std::string();
  };
  e.task_id = field("task_id");
  e.user_id = field("user_id");
  return e;
}

}  // namespace task
