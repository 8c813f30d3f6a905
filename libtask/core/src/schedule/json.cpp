/// Schedule <-> JSON: validation with field locations, aliases, and the normalized form.
#include <boost/json.hpp>

#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>

#include "detail.hpp"
#include "task/core/errors.hpp"
#include "task/core/time_bounds.hpp"

namespace task::schedule {
namespace {

namespace json = boost::json;

constexpr std::array<std::string_view, 6> kKindNames = {"cron",  "interval", "once",
                                                        "daily", "weekly",   "monthly"};
constexpr std::array<std::string_view, 3> kMisfireNames = {"run_once", "skip", "run_all"};
constexpr std::array<std::string_view, 7> kWeekdays = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};
/// Intervals up to ~10 years; longer ones are surely a mistake (and risk overflow).
constexpr std::int64_t kMaxIntervalSeconds = 10LL * 366 * 24 * 3600;

/// Collects field errors under the schedule's location.
class Reader {
 public:
  Reader(const json::object& obj, const std::vector<std::string>& loc) : obj_(obj), loc_(loc) {}

  std::vector<std::string> at(std::string_view key) const {
    auto l = loc_;
    l.emplace_back(key);
    return l;
  }
  void error(std::string_view key, std::string msg, std::string type = "value_error") {
    errors_.push_back({at(key), std::move(msg), std::move(type)});
  }
  /// The value under `key` (or under `alias`), null counting as absent; sets `used` to the key.
  const json::value* find(std::string_view key, std::string_view alias, std::string& used) const {
    for (const auto k : {key, alias}) {
      if (k.empty()) continue;
      if (const auto* v = obj_.if_contains(k); v && !v->is_null()) {
        used = k;
        return v;
      }
    }
    used = key;
    return nullptr;
  }
  /// A required string; records `missing` / `string_type`.
  std::optional<std::string> string(std::string_view key, std::string_view alias, std::string& used,
                                    bool required) {
    const auto* v = find(key, alias, used);
    if (!v) {
      if (required) error(used, "field required", "missing");
      return std::nullopt;
    }
    if (!v->is_string()) {
      error(used, "must be a string", "string_type");
      return std::nullopt;
    }
    return std::string(v->get_string());
  }
  /// An integer (integral doubles accepted); records `int_type`.
  std::optional<std::int64_t> integer(const json::value& v, std::string_view key) {
    if (v.is_int64()) return v.get_int64();
    if (v.is_uint64() && v.get_uint64() <= std::uint64_t(std::numeric_limits<std::int64_t>::max()))
      return static_cast<std::int64_t>(v.get_uint64());
    if (v.is_double()) {
      const double d = v.get_double();
      // Range first: converting a double outside int64 (1e300, 1e309 = inf) is undefined.
      if (d > -1e15 && d < 1e15 && d == std::trunc(d)) return static_cast<std::int64_t>(d);
    }
    error(key, "must be an integer", "int_type");
    return std::nullopt;
  }
  std::vector<FieldError>& errors() { return errors_; }

 private:
  const json::object& obj_;
  const std::vector<std::string>& loc_;
  std::vector<FieldError> errors_;
};

/// Whether an RFC 3339 text carries a zone designator (`Z` or an offset after the date).
bool has_offset(std::string_view text) {
  if (text.size() <= 10) return false;
  return text.substr(10).find_first_of("Zz+-") != std::string_view::npos;
}

/// A timestamp field; a time without an offset is wall-clock time in `zone`.
std::optional<Timestamp> read_timestamp(Reader& r, std::string_view key, std::string_view alias,
                                        const date::time_zone* zone, bool required,
                                        std::string& used) {
  const auto text = r.string(key, alias, used, required);
  if (!text) return std::nullopt;
  auto t = parse_rfc3339(*text);
  if (!t) {
    if (rfc3339_out_of_range(*text))
      r.error(used, "'" + *text + "' is outside the years 0001 to 9999 (UTC)", "datetime_range");
    else
      r.error(used, "'" + *text + "' is not an RFC 3339 date-time (e.g. 2026-03-01T09:00:00Z)");
    return std::nullopt;
  }
  if (zone && !has_offset(*text)) {
    try {
      t = detail::resolve_local(zone, detail::LocalMicros{t->time_since_epoch()});
    } catch (const std::exception&) {
      t.reset();
    }
    if (!t || !within_timestamp_range(*t)) {
      r.error(used,
              "'" + *text + "' in " + std::string(zone->name()) +
                  " is outside the years 0001 to 9999 (UTC)",
              "datetime_range");
      return std::nullopt;
    }
  }
  return t;
}

/// "HH:MM" (or "H:MM", or "HH:MM:00") into hour and minute.
bool read_time(Reader& r, Schedule& s) {
  std::string used;
  const auto text = r.string("time", "run_time", used, true);
  if (!text) return false;
  unsigned h = 0, m = 0, sec = 0;
  char tail = 0;
  const int n = std::sscanf(text->c_str(), "%2u:%2u:%2u%c", &h, &m, &sec, &tail);
  const bool shape = !text->empty() && std::isdigit(static_cast<unsigned char>((*text)[0])) &&
                     (n == 2 || n == 3) && text->size() >= 4 && (*text)[text->size() - 3] == ':';
  if (!shape || sec != 0) {
    r.error(used, "time must be \"HH:MM\" (24-hour), got '" + *text + "'");
    return false;
  }
  if (h > 23 || m > 59) {
    r.error(used, "time '" + *text + "': " +
                      (h > 23 ? "hour " + std::to_string(h) + " is out of range 0-23"
                              : "minute " + std::to_string(m) + " is out of range 0-59"));
    return false;
  }
  s.hour = static_cast<int>(h);
  s.minute = static_cast<int>(m);
  return true;
}

/// The integer `v` of field `key` into `out` when it lies in [lo, hi]; else an error of `key`.
void read_in_range(Reader& r, const json::value& v, const std::string& key, int lo, int hi,
                   int& out) {
  const auto n = r.integer(v, key);
  if (!n) return;
  if (*n < lo || *n > hi)
    return r.error(key, key + " " + std::to_string(*n) + " is out of range " + std::to_string(lo) +
                            "-" + std::to_string(hi));
  out = static_cast<int>(*n);
}

void read_weekday(Reader& r, Schedule& s, const json::object& obj) {
  const auto* v = obj.if_contains("weekday");
  if (!v || v->is_null()) return r.error("weekday", "field required", "missing");
  if (v->is_string()) {
    const std::string name = detail::lower(v->get_string());
    for (std::size_t i = 0; i < kWeekdays.size(); ++i)
      if (name == kWeekdays[i] || (name.size() == 3 && kWeekdays[i].substr(0, 3) == name)) {
        s.weekday = static_cast<int>(i) + 1;
        return;
      }
    return r.error("weekday", "unknown weekday '" + std::string(v->get_string()) +
                                  "' (use monday..sunday or 1-7, 1 = Monday)");
  }
  if (!v->is_number())
    return r.error("weekday", "must be a weekday name or an integer 1-7", "int_type");
  read_in_range(r, *v, "weekday", 1, 7, s.weekday);
}

void read_day(Reader& r, Schedule& s, const json::object& obj) {
  const auto* v = obj.if_contains("day");
  if (!v || v->is_null()) return r.error("day", "field required", "missing");
  read_in_range(r, *v, "day", 1, 31, s.day);
}

void read_interval(Reader& r, Schedule& s, const json::object& obj) {
  std::string key = "interval_seconds";
  const json::value* v = obj.if_contains(key);
  std::int64_t unit = 1;
  if (!v || v->is_null()) {
    key = "interval_minutes";
    v = obj.if_contains(key);
    unit = 60;
  }
  if (!v || v->is_null()) return r.error("interval_seconds", "field required", "missing");
  const auto n = r.integer(*v, key);
  if (!n) return;
  if (*n < 60 / unit || *n > kMaxIntervalSeconds / unit)
    return r.error(key, key + " " + std::to_string(*n) + " is out of range " +
                            std::to_string(60 / unit) + "-" +
                            std::to_string(kMaxIntervalSeconds / unit) +
                            (unit == 1 ? " (at least 60 s)" : ""));
  s.interval_seconds = *n * unit;
}

/// The fields every kind shares: timezone, bounds, max_runs, misfire.
const date::time_zone* read_common(Reader& r, Schedule& s, const json::object& obj) {
  std::string used;
  const date::time_zone* zone = detail::find_zone("UTC");
  if (auto tz = r.string("timezone", "", used, false)) {
    zone = detail::find_zone(*tz);
    if (!zone) r.error("timezone", "unknown time zone '" + *tz + "' (use an IANA name)");
    s.timezone = *tz;
  }
  s.start_at = read_timestamp(r, "start_at", "", zone, false, used);
  s.end_at = read_timestamp(r, "end_at", "", zone, false, used);
  if (s.start_at && s.end_at && *s.end_at <= *s.start_at)
    r.error("end_at", "end_at (" + format_rfc3339(*s.end_at) + ") must be after start_at (" +
                          format_rfc3339(*s.start_at) + ")");
  if (const auto* v = obj.if_contains("max_runs"); v && !v->is_null()) {
    if (const auto n = r.integer(*v, "max_runs")) {
      if (*n < 1) r.error("max_runs", "max_runs must be at least 1, got " + std::to_string(*n));
      s.max_runs = *n;
    }
  }
  if (auto m = r.string("misfire", "", used, false)) {
    bool known = false;
    for (std::size_t i = 0; i < kMisfireNames.size(); ++i)
      if (*m == kMisfireNames[i]) {
        s.misfire = static_cast<Misfire>(i);
        known = true;
      }
    if (!known)
      r.error("misfire", "unknown misfire policy '" + *m + "' (use run_once, skip or run_all)");
  }
  return zone;
}

/// The kind-specific fields.
void read_kind(Reader& r, Schedule& s, const json::object& obj, const date::time_zone* zone,
               const std::vector<std::string>& loc) {
  std::string used;
  switch (s.kind) {
    case Kind::cron:
      if (const auto e = r.string("expression", "cron_expression", used, true)) {
        try {
          auto l = loc;
          l.push_back(used);
          s.cron = parse_cron(*e, l);
        } catch (const ValidationError& err) {
          for (const auto& fe : err.errors)
            r.errors().push_back(fe);
        }
      }
      break;
    case Kind::interval:
      read_interval(r, s, obj);
      break;
    case Kind::once:
      if (auto t = read_timestamp(r, "run_at", "run_time", zone, true, used)) {
        s.run_at = *t;
        if ((s.start_at && *t < *s.start_at) || (s.end_at && *t > *s.end_at))
          r.error(used, "run_at (" + format_rfc3339(*t) + ") is outside start_at..end_at");
      }
      break;
    case Kind::weekly:
      read_weekday(r, s, obj);
      read_time(r, s);
      break;
    case Kind::monthly:
      read_day(r, s, obj);
      read_time(r, s);
      break;
    case Kind::daily:
      read_time(r, s);
      break;
  }
}

std::string two_digits(int v) {
  return std::string{char('0' + v / 10), char('0' + v % 10)};
}

}  // namespace

Schedule parse_schedule(const boost::json::value& value, Timestamp now,
                        const std::vector<std::string>& loc) {
  if (!value.is_object()) throw ValidationError(loc, "schedule must be a JSON object", "dict_type");
  const auto& obj = value.get_object();
  Reader r(obj, loc);
  Schedule s;
  std::string used;
  const auto type = r.string("type", "", used, true);
  bool kind_ok = false;
  if (type) {
    const std::string t = detail::lower(*type);
    for (std::size_t i = 0; i < kKindNames.size(); ++i)
      if (t == kKindNames[i]) {
        s.kind = static_cast<Kind>(i);
        kind_ok = true;
      }
    if (!kind_ok)
      r.error("type", "unknown schedule type '" + *type +
                          "' (use cron, interval, once, daily, weekly or monthly)");
  }
  try {
    const date::time_zone* zone = read_common(r, s, obj);
    if (kind_ok) read_kind(r, s, obj, zone, loc);
  } catch (const ValidationError&) {
    throw;
  } catch (const std::exception& e) {  // e.g. a time outside the zone library's range
    r.error("type", std::string("invalid schedule: ") + e.what());
  }
  if (r.errors().empty() && s.kind == Kind::interval && !s.start_at) {
    s.start_at = now;  // the anchor; to_json stores it, so end_at must come after it too
    if (s.end_at && *s.end_at <= now)
      r.error("end_at", "end_at (" + format_rfc3339(*s.end_at) +
                            ") must be after start_at (the interval's anchor, now: " +
                            format_rfc3339(now) + ")");
  }
  if (!r.errors().empty()) throw ValidationError(std::move(r.errors()));
  return s;
}

boost::json::object to_json(const Schedule& s) {
  json::object o;
  o["type"] = kKindNames[static_cast<std::size_t>(s.kind)];
  const std::string time = two_digits(s.hour) + ":" + two_digits(s.minute);
  switch (s.kind) {
    case Kind::cron:
      o["expression"] = s.cron.expression;
      break;
    case Kind::interval:
      o["interval_seconds"] = s.interval_seconds;
      break;
    case Kind::once:
      o["run_at"] = format_rfc3339(s.run_at);
      break;
    case Kind::daily:
      o["time"] = time;
      break;
    case Kind::weekly:
      o["weekday"] = kWeekdays[static_cast<std::size_t>((s.weekday + 6) % 7)];
      o["time"] = time;
      break;
    case Kind::monthly:
      o["day"] = s.day;
      o["time"] = time;
      break;
  }
  o["timezone"] = s.timezone;
  if (s.start_at) o["start_at"] = format_rfc3339(*s.start_at);
  if (s.end_at) o["end_at"] = format_rfc3339(*s.end_at);
  if (s.max_runs) o["max_runs"] = *s.max_runs;
  o["misfire"] = kMisfireNames[static_cast<std::size_t>(s.misfire)];
  return o;
}

}  // namespace task::schedule
