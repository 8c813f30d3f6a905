// Query strings (docs/api.md §8 list, pages) and the opaque list cursor.
#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <limits>

#include "field_errors.hpp"
#include "task/codec/base64url.hpp"
#include "task/rules/requests.hpp"

namespace task {
namespace {

using detail::at;
using detail::Errors;
using detail::Loc;
namespace json = boost::json;

const Loc kQuery{"query"};

const std::string* last_value(const QueryParams& params, std::string_view key) {
  return query_value(params, key);
}

std::optional<std::int64_t> parse_int(std::string_view s) {
  std::int64_t v = 0;
  const auto* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, v);
  if (ec != std::errc{} || p != end || s.empty()) return std::nullopt;
  return v;
}

/// An integer query parameter in [lo, hi] (hi < 0: no upper bound), else an error.
std::optional<int> read_int(const QueryParams& params, std::string_view key, std::int64_t lo,
                            std::int64_t hi, Errors& errs) {
  const auto* s = last_value(params, key);
  if (!s) return std::nullopt;
  const auto v = parse_int(*s);
  if (!v) {
    errs.add(at(kQuery, key), "Input should be a valid integer", "int_parsing");
    return std::nullopt;
  }
  if (*v < lo) {
    errs.add(at(kQuery, key), "Input should be greater than or equal to " + std::to_string(lo),
             "greater_than_equal");
    return std::nullopt;
  }
  if (hi >= 0 && *v > hi) {
    errs.add(at(kQuery, key), "Input should be less than or equal to " + std::to_string(hi),
             "less_than_equal");
    return std::nullopt;
  }
  return static_cast<int>(*v);
}

void read_filters(const QueryParams& params, ListTasksRequest& r, Errors& errs) {
  auto& q = r.query;
  if (const auto* s = last_value(params, "status")) {
    q.status = detail::read_enum_text<TaskStatus>(*s, at(kQuery, "status"), errs);
    if (q.status) r.filters["status"] = *s;
  }
  if (const auto* s = last_value(params, "task_type")) {
    q.task_type = detail::read_enum_text<TaskType>(*s, at(kQuery, "task_type"), errs);
    if (q.task_type) r.filters["task_type"] = *s;
  }
  if (const auto* s = last_value(params, "priority")) {
    q.priority = detail::read_enum_text<Priority>(*s, at(kQuery, "priority"), errs);
    if (q.priority) r.filters["priority"] = *s;
  }
  json::array tags;
  for (const auto& [k, v] : params) {
    if (k != "tag") continue;
    auto t = detail::trim(v);
    if (t.empty()) {
      errs.add(at(kQuery, "tag"), "Tag should have at least 1 character", "string_too_short");
    } else if (std::find(q.tags.begin(), q.tags.end(), t) == q.tags.end()) {
      q.tags.push_back(t);
      tags.emplace_back(t);
    }
  }
  if (!tags.empty()) r.filters["tags"] = std::move(tags);
  for (const char* key : {"due_before", "due_after"}) {
    const auto* s = last_value(params, key);
    if (!s) continue;
    auto t = detail::read_timestamp(json::value(*s), at(kQuery, key), errs);
    if (!t) continue;
    (std::string_view(key) == "due_before" ? q.due_before : q.due_after) = t;
    r.filters[key] = format_rfc3339(*t);
  }
  if (const auto* s = last_value(params, "q"); s && !s->empty()) {
    q.q = *s;
    r.filters["q"] = *s;
  }
}

}  // namespace

const std::string* query_value(const QueryParams& params, std::string_view key) {
  const std::string* out = nullptr;
  for (const auto& [k, v] : params)
    if (k == key) out = &v;
  return out;
}

int parse_int_param(const QueryParams& params, std::string_view key, int lo, int hi, int fallback) {
  Errors errs;
  const auto v = read_int(params, key, lo, hi, errs);
  errs.throw_if_any();
  return v.value_or(fallback);
}

std::string encode_cursor(const TaskQuery::After& after) {
  json::object o;
  o["c"] = to_unix_micros(after.created_at);
  o["i"] = after.id;
  return base64url_encode(json::serialize(o));
}

std::optional<TaskQuery::After> decode_cursor(std::string_view cursor) {
  if (cursor.empty() || cursor.size() > 200) return std::nullopt;
  auto text = base64url_decode(cursor);
  if (!text) return std::nullopt;
  boost::system::error_code ec;
  auto v = json::parse(*text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto& o = v.get_object();
  const auto* c = o.if_contains("c");
  const auto* i = o.if_contains("i");
  if (o.size() != 2 || !c || !i || !c->is_int64() || !i->is_int64()) return std::nullopt;
  return TaskQuery::After{from_unix_micros(c->get_int64()), i->get_int64()};
}

PageRequest parse_page(const QueryParams& params, int default_limit, int max_limit) {
  Errors errs;
  PageRequest p;
  p.limit = read_int(params, "limit", 1, max_limit, errs).value_or(default_limit);
  p.offset = read_int(params, "offset", 0, std::numeric_limits<int>::max(), errs).value_or(0);
  errs.throw_if_any();
  return p;
}

ListTasksRequest parse_list_query(const QueryParams& params) {
  Errors errs;
  ListTasksRequest r;
  read_filters(params, r, errs);
  r.query.limit = read_int(params, "limit", 1, 100, errs).value_or(100);
  r.query.offset = read_int(params, "offset", 0, std::numeric_limits<int>::max(), errs).value_or(0);
  if (const auto* s = last_value(params, "cursor"); s && !s->empty()) {
    r.query.after = decode_cursor(*s);
    if (!r.query.after)
      errs.add(at(kQuery, "cursor"), "Invalid cursor", "value_error");
    else if (r.query.offset != 0)
      errs.add(at(kQuery, "cursor"), "Use either offset or cursor, not both", "value_error");
  }
  errs.throw_if_any();
  return r;
}

}  // namespace task
