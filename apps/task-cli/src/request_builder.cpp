#include "request_builder.hpp"

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <cctype>

#include "exit_codes.hpp"
#include "task/codec/json_numbers.hpp"

namespace json = boost::json;

namespace task::cli {

namespace {

constexpr std::array<std::string_view, 7> kCronMacros = {
    "@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"};

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return std::string(s);
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    auto pos = s.find(sep, start);
    parts.emplace_back(s.substr(start, pos == std::string_view::npos ? pos : pos - start));
    if (pos == std::string_view::npos) return parts;
    start = pos + 1;
  }
}

bool is_bare_cron(std::string_view s) {
  if (s.starts_with("@")) return true;
  int fields = 0;
  bool in_field = false;
  for (char c : s) {
    const bool space = std::isspace(static_cast<unsigned char>(c)) != 0;
    if (!space && !in_field) ++fields;
    in_field = !space;
  }
  return fields == 5;
}

/// `0 7 * * 1-5@Europe/Berlin` or `@daily@UTC` -> expression and zone.
json::object cron_schedule(std::string_view body) {
  std::string expr = trim(body);
  std::optional<std::string> zone;
  const auto at = expr.rfind('@');
  if (at != std::string::npos && at > 0) {
    bool macro = false;
    for (auto m : kCronMacros)
      macro = macro || expr == m;
    if (!macro) {
      zone = trim(std::string_view(expr).substr(at + 1));
      expr = trim(std::string_view(expr).substr(0, at));
    }
  }
  json::object s{{"type", "cron"}, {"expression", expr}};
  if (zone) s["timezone"] = *zone;
  return s;
}

/// Splits `a@b@tz` into `want` leading parts plus an optional zone.
std::vector<std::string> at_parts(std::string_view body, std::size_t want, std::string_view kind,
                                  std::optional<std::string>& zone) {
  auto parts = split(body, '@');
  if (parts.size() == want + 1) {
    zone = trim(parts.back());
    parts.pop_back();
  }
  if (parts.size() != want)
    throw UsageError("--schedule " + std::string(kind) + ": expected " +
                     (want == 1 ? std::string(kind) + ":VALUE[@ZONE]"
                                : std::string(kind) + ":DAY@HH:MM[@ZONE]"));
  for (auto& p : parts)
    p = trim(p);
  return parts;
}

json::value weekday_value(const std::string& text) {
  if (!text.empty() &&
      std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c) != 0; }))
    return std::stoi(text);
  std::string lower;
  for (unsigned char c : text)
    lower.push_back(static_cast<char>(std::tolower(c)));
  return json::value(lower);
}

}  // namespace

std::int64_t parse_duration_seconds(std::string_view text) {
  const std::string s = trim(text);
  if (s.empty()) throw UsageError("empty duration");
  std::int64_t total = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t j = i;
    while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j])))
      ++j;
    if (j == i || j - i > 12)
      throw UsageError("'" + s + "' is not a duration (use e.g. 90s, 15m, 2h, 1d, 1h30m)");
    const std::int64_t n = std::stoll(s.substr(i, j - i));
    std::int64_t unit = 1;
    if (j < s.size()) {
      switch (s[j]) {
        case 's':
          unit = 1;
          break;
        case 'm':
          unit = 60;
          break;
        case 'h':
          unit = 3600;
          break;
        case 'd':
          unit = 86400;
          break;
        default:
          throw UsageError("'" + s + "' is not a duration (units: s, m, h, d)");
      }
      ++j;
    } else if (i != 0) {
      throw UsageError("'" + s + "': a unit is required after " + std::to_string(n));
    }
    total += n * unit;
    i = j;
  }
  return total;
}

json::object parse_json_object_arg(std::string_view text, std::string_view flag) {
  boost::system::error_code ec;
  auto v = parse_json(text, ec);  // exact numbers, as the server reads them
  if (ec || !v.is_object())
    throw UsageError(std::string(flag) + ": not a JSON object: " + std::string(text));
  return std::move(v.as_object());
}

json::object parse_schedule_arg(std::string_view text, const std::optional<std::string>& tz) {
  const std::string s = trim(text);
  json::object out;
  std::optional<std::string> zone;
  auto kind_end = s.find(':');
  const std::string kind = kind_end == std::string::npos ? "" : s.substr(0, kind_end);
  const std::string_view body =
      kind_end == std::string::npos ? std::string_view{} : std::string_view(s).substr(kind_end + 1);
  if (s.starts_with("{")) {
    out = parse_json_object_arg(s, "--schedule");
  } else if (kind == "cron") {
    out = cron_schedule(body);
  } else if (kind == "daily") {
    auto p = at_parts(body, 1, kind, zone);
    out = {{"type", "daily"}, {"time", p[0]}};
  } else if (kind == "weekly") {
    auto p = at_parts(body, 2, kind, zone);
    out = {{"type", "weekly"}, {"weekday", weekday_value(p[0])}, {"time", p[1]}};
  } else if (kind == "monthly") {
    auto p = at_parts(body, 2, kind, zone);
    if (p[0].empty() ||
        !std::all_of(p[0].begin(), p[0].end(), [](unsigned char c) { return std::isdigit(c); }))
      throw UsageError("--schedule monthly: day must be a number 1-31");
    out = {{"type", "monthly"}, {"day", std::stoi(p[0])}, {"time", p[1]}};
  } else if (kind == "once") {
    auto p = at_parts(body, 1, kind, zone);
    out = {{"type", "once"}, {"run_at", p[0]}};
  } else if (kind == "every" || kind == "interval") {
    out = {{"type", "interval"}, {"interval_seconds", parse_duration_seconds(body)}};
  } else if (is_bare_cron(s)) {
    out = cron_schedule(s);
  } else {
    throw UsageError("--schedule: '" + s +
                     "' is not a schedule (cron:EXPR[@ZONE], daily:HH:MM, weekly:DAY@HH:MM, "
                     "monthly:N@HH:MM, once:TIME, every:15m, or JSON)");
  }
  if (zone) out["timezone"] = *zone;
  if (tz && !out.contains("timezone")) out["timezone"] = *tz;
  return out;
}

json::value parse_config_value(std::string_view text) {
  boost::system::error_code ec;
  auto v = parse_json(text, ec);  // exact numbers, as the server reads them
  if (!ec) return v;
  return json::value(json::string(text.data(), text.size()));
}

void apply_config_pairs(json::object& config, const std::vector<std::string>& pairs) {
  for (const auto& pair : pairs) {
    const auto eq = pair.find('=');
    if (eq == std::string::npos || eq == 0)
      throw UsageError("--config: expected KEY=VALUE, got '" + pair + "'");
    config[pair.substr(0, eq)] = parse_config_value(std::string_view(pair).substr(eq + 1));
  }
}

std::optional<json::object> schedule_from_fields(const TaskFields& f) {
  const int given = (f.schedule ? 1 : 0) + (f.every ? 1 : 0) + (f.at ? 1 : 0);
  if (given > 1) throw UsageError("use only one of --schedule, --every, --at");
  std::optional<json::object> s;
  if (f.schedule) s = parse_schedule_arg(*f.schedule, f.tz);
  if (f.every)
    s = json::object{{"type", "interval"}, {"interval_seconds", parse_duration_seconds(*f.every)}};
  if (f.at) s = json::object{{"type", "once"}, {"run_at", trim(*f.at)}};
  if (s && f.tz && !s->contains("timezone")) (*s)["timezone"] = *f.tz;
  return s;
}

namespace {

/// Fields common to create, update and from-template bodies.
void put_common(json::object& body, const TaskFields& f) {
  if (f.name) body["name"] = *f.name;
  if (f.description) body["description"] = *f.description;
  if (f.priority) body["priority"] = *f.priority;
  if (auto s = schedule_from_fields(f)) body["schedule"] = std::move(*s);
  if (f.tags_given) {
    json::array tags;
    for (const auto& t : f.tags)
      tags.emplace_back(t);
    body["tags"] = std::move(tags);
  }
  if (f.metadata_json)
    body["metadata"] = parse_json_object_arg(*f.metadata_json, "--metadata-json");
  if (f.due) body["due_date"] = *f.due;
  if (f.remind) body["reminder_time"] = *f.remind;
  if (f.anchor && !f.recur) throw UsageError("--anchor needs --recur");
  if (f.recur) {  // a recurring todo/reminder (docs/api.md §16)
    auto r = parse_schedule_arg(*f.recur, f.tz);
    if (f.anchor) r["anchor"] = *f.anchor;
    body["recurrence"] = std::move(r);
  }
}

}  // namespace

json::object build_create_body(const TaskFields& f) {
  json::object body;
  put_common(body, f);
  body["task_type"] = f.task_type.value_or("todo");
  json::object config;
  if (f.config_json) config = parse_json_object_arg(*f.config_json, "--config-json");
  apply_config_pairs(config, f.config);
  if (f.config_json || !f.config.empty()) body["config"] = std::move(config);
  if (f.credits) body["credits_per_run"] = *f.credits;
  return body;
}

json::object build_update_body(const TaskFields& f, const json::object& current_config) {
  json::object body;
  put_common(body, f);
  if (f.status) body["status"] = *f.status;
  if (f.credits) body["credits_per_run"] = *f.credits;
  if (f.next_run) body["next_run_time"] = *f.next_run;
  if (f.config_json || !f.config.empty()) {
    json::object config =
        f.config_json ? parse_json_object_arg(*f.config_json, "--config-json") : current_config;
    apply_config_pairs(config, f.config);
    body["config"] = std::move(config);
  }
  auto clear = [&](bool flag, const char* field, const char* option) {
    if (!flag) return;
    if (body.contains(field))
      throw UsageError(std::string("--clear-") + option + " conflicts with a new value");
    body[field] = nullptr;
  };
  clear(f.clear_description, "description", "description");
  clear(f.clear_schedule, "schedule", "schedule");
  clear(f.clear_due, "due_date", "due");
  clear(f.clear_remind, "reminder_time", "remind");
  clear(f.clear_recur, "recurrence", "recur");
  if (f.clear_tags) {
    if (body.contains("tags")) throw UsageError("--clear-tags conflicts with --tag");
    body["tags"] = json::array{};
  }
  if (f.task_type) throw UsageError("--type cannot be changed after creation");
  if (body.empty()) throw UsageError("edit: nothing to change (give at least one field option)");
  return body;
}

json::object build_from_template_body(const std::string& template_id, const TaskFields& f) {
  json::object body{{"template_id", template_id}};
  put_common(body, f);
  json::object config;
  if (f.config_json) config = parse_json_object_arg(*f.config_json, "--config-json");
  apply_config_pairs(config, f.config);
  if (f.config_json || !f.config.empty()) body["config"] = std::move(config);
  return body;
}

}  // namespace task::cli
