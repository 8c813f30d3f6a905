// Upcoming runs and schedule previews: request rules (task/rules/upcoming.hpp).
#include "task/rules/upcoming.hpp"

#include <charconv>
#include <limits>

#include "task/core/errors.hpp"
#include "task/schedule/schedule.hpp"
#include "task/schedule/upcoming.hpp"

namespace task {

namespace json = boost::json;

std::size_t upcoming_count(const json::value* v, const std::vector<std::string>& loc) {
  if (v == nullptr || v->is_null()) return kUpcomingDefault;
  std::int64_t n = 0;
  if (v->is_int64()) {
    n = v->as_int64();
  } else if (v->is_uint64()) {
    n = std::numeric_limits<std::int64_t>::max();  // out of range either way
  } else if (v->is_string()) {
    const auto& text = v->as_string();
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, n);
    if (text.empty() || ptr != end || ec == std::errc::invalid_argument)
      throw ValidationError(loc, "Input should be a valid integer", "int_parsing");
    if (ec == std::errc::result_out_of_range) n = std::numeric_limits<std::int64_t>::max();
  } else {
    throw ValidationError(loc, "Input should be a valid integer", "int_type");
  }
  if (n < 1 || n > static_cast<std::int64_t>(kUpcomingMax))
    throw ValidationError(loc, "Input should be between 1 and 100");
  return static_cast<std::size_t>(n);
}

UpcomingRuns upcoming_of(const Task& task, Timestamp now, std::size_t count) {
  UpcomingRuns out;
  if (!task.schedule) return out;
  try {
    const auto s = schedule::parse_schedule(json::value(*task.schedule), now, {"schedule"});
    out.timezone = s.timezone;
    if (task.status == TaskStatus::scheduled && !task.deleted_at)
      out.runs = schedule::upcoming_slots(s, task.next_run_time, task.run_count, now, count);
  } catch (const ValidationError&) {
    if (const auto* tz = task.schedule->if_contains("timezone"); tz && tz->is_string())
      out.timezone = std::string(tz->as_string());
  }
  return out;
}

UpcomingRuns preview_of(const json::value& body, Timestamp now) {
  if (!body.is_object())
    throw ValidationError({"body"}, "Input should be a valid object", "dict_type");
  const auto& o = body.as_object();
  std::vector<FieldError> errors;
  Timestamp from = now;
  if (const auto* f = o.if_contains("from"); f && !f->is_null()) {
    std::optional<Timestamp> t;
    if (f->is_string()) t = parse_rfc3339(f->as_string());
    if (t)
      from = *t;
    else
      errors.push_back(
          {{"body", "from"}, "Input should be a valid RFC 3339 datetime", "datetime_parsing"});
  }
  std::size_t count = kUpcomingDefault;
  try {
    count = upcoming_count(o.if_contains("count"), {"body", "count"});
  } catch (const ValidationError& e) {
    errors.insert(errors.end(), e.errors.begin(), e.errors.end());
  }
  std::optional<schedule::Schedule> s;
  const auto* sj = o.if_contains("schedule");
  if (sj == nullptr || sj->is_null()) {
    errors.push_back({{"body", "schedule"}, "Field required", "missing"});
  } else {
    try {
      s = schedule::parse_schedule(*sj, from, {"body", "schedule"});
    } catch (const ValidationError& e) {
      errors.insert(errors.end(), e.errors.begin(), e.errors.end());
    }
  }
  if (!errors.empty()) throw ValidationError(std::move(errors));
  UpcomingRuns out;
  out.timezone = s->timezone;
  out.runs = schedule::preview_slots(*s, from, count);
  return out;
}

json::object upcoming_json(const UpcomingRuns& u, const std::string& task_id) {
  json::array runs;
  for (const auto t : u.runs)
    runs.push_back(
        json::object{{"at", format_rfc3339(t)}, {"local", schedule::local_rfc3339(t, u.timezone)}});
  json::object out;
  if (!task_id.empty()) out["task_id"] = task_id;
  out["timezone"] = u.timezone;
  out["runs"] = std::move(runs);
  return out;
}

}  // namespace task
