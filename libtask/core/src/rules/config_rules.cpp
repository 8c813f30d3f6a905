// Per-type config rules (docs/api.md §7) and the shared name/tags validators.
#include <algorithm>
#include <cctype>
#include <set>

#include "field_errors.hpp"
#include "task/rules/http_fields.hpp"
#include "task/rules/requests.hpp"

namespace task {
namespace detail {

namespace {

bool is_http_url(std::string_view s) {
  std::string lower(s.substr(0, std::min<std::size_t>(s.size(), 8)));
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::size_t host = 0;
  if (lower.rfind("http://", 0) == 0)
    host = 7;
  else if (lower.rfind("https://", 0) == 0)
    host = 8;
  else
    return false;
  return s.size() > host && s[host] != '/' && s.find_first_of(" \t\r\n") == std::string::npos;
}

/// Requires `key` as a non-empty string.
void require_text(const boost::json::object& c, std::string_view key, const Loc& loc,
                  Errors& errs) {
  const auto* v = c.if_contains(key);
  if (!v) return errs.add(at(loc, key), "Field required", "missing");
  if (auto s = read_string(*v, at(loc, key), errs); s && trim(*s).empty())
    errs.add(at(loc, key), "String should have at least 1 character", "string_too_short");
}

void check_location(const boost::json::object& c, const Loc& loc, Errors& errs) {
  const auto* v = c.if_contains("location");
  if (v && v->is_object() && !v->as_object().empty()) return;  // {"lat":..,"lon":..} form
  require_text(c, "location", loc, errs);
}

void check_keywords(const boost::json::object& c, const Loc& loc, Errors& errs) {
  const auto* v = c.if_contains("keywords");
  const auto kl = at(loc, "keywords");
  if (!v) return errs.add(kl, "Field required", "missing");
  const auto* arr = v->if_array();
  if (!arr) return errs.add(kl, "Input should be a valid list", "list_type");
  if (arr->empty()) return errs.add(kl, "List should have at least 1 item", "too_short");
  for (std::size_t i = 0; i < arr->size(); ++i) {
    auto s = read_string((*arr)[i], at(kl, std::to_string(i)), errs);
    if (s && trim(*s).empty())
      errs.add(at(kl, std::to_string(i)), "String should have at least 1 character",
               "string_too_short");
  }
}

void check_price_tracker(const boost::json::object& c, const Loc& loc, Errors& errs) {
  require_text(c, "product_url", loc, errs);
  if (const auto* v = c.if_contains("target_price"))
    read_number(*v, at(loc, "target_price"), errs);
  else
    errs.add(at(loc, "target_price"), "Field required", "missing");
}

/// `method` one of kWebhookMethods (any case); `headers` an object whose names are HTTP tokens and
/// whose string values hold no CR, LF, NUL or other control character (other JSON values are
/// sent as their JSON text, which cannot hold them): a config must not be able to add a request
/// line or a header of its own.
void check_webhook_request(const boost::json::object& c, const Loc& loc, Errors& errs) {
  if (const auto* m = c.if_contains("method")) {
    const auto ml = at(loc, "method");
    if (auto s = read_string(*m, ml, errs); s && !is_webhook_method(*s))
      errs.add(ml, "Input should be one of GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS", "enum");
  }
  const auto* h = c.if_contains("headers");
  if (!h || h->is_null()) return;
  const auto hl = at(loc, "headers");
  const auto* obj = h->if_object();
  if (!obj) return errs.add(hl, "Input should be a valid dictionary", "dict_type");
  for (const auto& [name, value] : *obj) {
    const auto vl = at(hl, name);
    if (!is_http_token(name))
      errs.add(vl, "Header name should be an HTTP token (letters, digits and !#$%&'*+-.^_`|~)",
               "header_name");
    else if (value.is_string() && !is_safe_header_value(value.get_string()))
      errs.add(vl, "Header value should not contain CR, LF, NUL or other control characters",
               "header_value");
  }
}

void check_custom(const boost::json::object& c, const Loc& loc, Errors& errs) {
  const char* key =
      c.contains("url") ? "url" : (c.contains("webhook_url") ? "webhook_url" : nullptr);
  if (!key) return errs.add(at(loc, "url"), "Field required (url or webhook_url)", "missing");
  auto s = read_string(c.at(key), at(loc, key), errs);
  if (s && !is_http_url(*s))
    errs.add(at(loc, key), "URL scheme should be 'http' or 'https'", "url_scheme");
  check_webhook_request(c, loc, errs);
}

void fill_reminder(boost::json::object& c, const std::string& name, const Loc& loc, Errors& errs) {
  if (const auto* v = c.if_contains("message"))
    read_string(*v, at(loc, "message"), errs);
  else
    c["message"] = name;
}

void fill_event_time(boost::json::object& c, std::optional<Timestamp> due, const Loc& loc,
                     Errors& errs) {
  if (const auto* v = c.if_contains("event_time")) {
    if (auto t = read_timestamp(*v, at(loc, "event_time"), errs))
      c["event_time"] = format_rfc3339(*t);
  } else if (due) {
    c["event_time"] = format_rfc3339(*due);
  } else {
    errs.add(at(loc, "event_time"), "Field required (or give due_date)", "missing");
  }
}

}  // namespace

boost::json::object check_config(TaskType type, boost::json::object c, const std::string& name,
                                 std::optional<Timestamp> due, const Loc& loc, Errors& errs) {
  switch (type) {
    case TaskType::daily_weather:
      check_location(c, loc, errs);
      break;
    case TaskType::weather_alert:
      check_location(c, loc, errs);
      if (const auto* v = c.if_contains("alert_conditions"))
        read_object(*v, at(loc, "alert_conditions"), errs);
      else
        errs.add(at(loc, "alert_conditions"), "Field required", "missing");
      break;
    case TaskType::news_monitor:
      check_keywords(c, loc, errs);
      break;
    case TaskType::price_tracker:
      check_price_tracker(c, loc, errs);
      break;
    case TaskType::reminder:
      fill_reminder(c, name, loc, errs);
      break;
    case TaskType::calendar_event:
      fill_event_time(c, due, loc, errs);
      break;
    case TaskType::custom:
      check_custom(c, loc, errs);
      break;
    case TaskType::daily_news:
    case TaskType::data_backup:
    case TaskType::todo:
      break;
  }
  return c;
}

std::optional<std::string> check_name(const boost::json::value& v, const Loc& loc, Errors& errs) {
  auto s = read_string(v, loc, errs);
  if (!s) return std::nullopt;
  auto t = trim(*s);
  if (t.empty()) {
    errs.add(loc, "String should have at least 1 character", "string_too_short");
    return std::nullopt;
  }
  if (utf8_length(t) > kMaxNameLength) {
    errs.add(loc, "String should have at most 255 characters", "string_too_long");
    return std::nullopt;
  }
  return t;
}

std::optional<std::vector<std::string>> check_tags(const boost::json::value& v, const Loc& loc,
                                                   Errors& errs) {
  const auto* arr = v.if_array();
  if (!arr) {
    errs.add(loc, "Input should be a valid list", "list_type");
    return std::nullopt;
  }
  std::vector<std::string> out;
  std::set<std::string> seen;
  const auto before = errs.list.size();
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const auto il = at(loc, std::to_string(i));
    auto s = read_string((*arr)[i], il, errs);
    if (!s) continue;
    auto t = trim(*s);
    if (t.empty())
      errs.add(il, "Tag should have at least 1 character", "string_too_short");
    else if (utf8_length(t) > kMaxTagLength)
      errs.add(il, "Tag should have at most 64 characters", "string_too_long");
    else if (seen.insert(t).second)
      out.push_back(std::move(t));
  }
  if (out.size() > kMaxTags) errs.add(loc, "At most 50 distinct tags are allowed", "too_long");
  if (errs.list.size() != before) return std::nullopt;
  return out;
}

}  // namespace detail

boost::json::object validate_config(TaskType type, boost::json::object config,
                                    const std::string& name, std::optional<Timestamp> due_date,
                                    const std::vector<std::string>& loc) {
  detail::Errors errs;
  auto out = detail::check_config(type, std::move(config), name, due_date, loc, errs);
  errs.throw_if_any();
  return out;
}

std::string validate_name(const boost::json::value& v, const std::vector<std::string>& loc) {
  detail::Errors errs;
  auto out = detail::check_name(v, loc, errs);
  errs.throw_if_any();
  return *out;
}

std::vector<std::string> validate_tags(const boost::json::value& v,
                                       const std::vector<std::string>& loc) {
  detail::Errors errs;
  auto out = detail::check_tags(v, loc, errs);
  errs.throw_if_any();
  return *out;
}

}  // namespace task
