// GET /api/v1/analytics/series: the dashboard's chart data, computed by the database's own
// aggregates (one GROUP BY quarter hour, TaskRepository::execution_quarters) — never by reading
// execution rows here.
#include <date/tz.h>

#include <algorithm>
#include <boost/json.hpp>

#include "task/codec/json_numbers.hpp"
#include "task/core/errors.hpp"
#include "task/core/time.hpp"
#include "task/rules/query_int.hpp"
#include "ui_routes.hpp"

namespace task::server {

namespace json = boost::json;

namespace {

int days_of(const httplib::Request& req) {
  return static_cast<int>(query_int(query_param(req, "days"), "days", 1, 365, 30));
}

const date::time_zone* zone_of(const httplib::Request& req) {
  const auto name = req.has_param("tz") ? req.get_param_value("tz") : std::string("UTC");
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    throw ValidationError({"query", "tz"}, "Unknown time zone: " + name);
  }
}

}  // namespace

json::object analytics_series(StatsStore& repo, const std::string& user_id,
                              const httplib::Request& req, Timestamp now) {
  const int days = days_of(req);
  const auto* zone = zone_of(req);
  using namespace std::chrono;
  const auto now_s = floor<seconds>(now);
  const auto today = floor<date::days>(zone->to_local(now_s));
  // Local midnights of the window's days (oldest first) as instants; a midnight that does not
  // exist (a DST gap at 00:00) is the first instant after the gap.
  std::vector<Timestamp> starts;
  for (int i = days - 1; i >= 0; --i) {
    const auto local = date::local_seconds{today - date::days{i}};
    const auto info = zone->get_info(local);
    sys_seconds t = info.result == date::local_info::nonexistent
                        ? info.second.begin
                        : sys_seconds{local.time_since_epoch() - info.first.offset};
    starts.push_back(time_point_cast<Micros>(t));
  }
  // ONE query: the window's executions by UTC quarter hour. Every local midnight of a real zone
  // falls on a quarter hour (offsets are multiples of 15 minutes), so each quarter belongs to
  // exactly one local day; the last day runs open-ended, like the window.
  const auto quarters = repo.execution_quarters(user_id, starts.front());
  struct Day {
    std::int64_t total = 0, successful = 0, failed = 0;
    double credits = 0;
  };
  std::vector<Day> days_of_window(starts.size());
  for (const auto& q : quarters) {
    const auto t = time_point_cast<Micros>(sys_seconds{seconds{q.quarter * 900}});
    const auto it = std::upper_bound(starts.begin(), starts.end(), t);
    if (it == starts.begin()) continue;  // before the first midnight (cannot happen: the bound)
    auto& d = days_of_window[static_cast<std::size_t>(it - starts.begin() - 1)];
    d.total += q.total;
    d.successful += q.successful;
    d.failed += q.failed;
    d.credits = saturating_add(d.credits, q.credits);
  }
  json::array daily;
  for (std::size_t i = 0; i < starts.size(); ++i) {
    const auto& d = days_of_window[i];
    const auto local_day = today - date::days{static_cast<int>(starts.size() - 1 - i)};
    daily.push_back(json::object{{"date", date::format("%F", local_day)},
                                 {"start", format_rfc3339(starts[i])},
                                 {"total", d.total},
                                 {"successful", d.successful},
                                 {"failed", d.failed},
                                 {"credits", d.credits}});
  }
  // Weekday x hour counts in the zone, from the quarter-hour buckets of the whole window.
  std::vector<std::vector<std::int64_t>> grid(7, std::vector<std::int64_t>(24, 0));
  for (const auto& q : quarters) {
    const auto local = zone->to_local(sys_seconds{seconds{q.quarter * 900}});
    const auto day = floor<date::days>(local);
    const int hour = static_cast<int>(floor<hours>(local - day).count());
    const int iso = static_cast<int>(date::weekday{day}.iso_encoding());  // 1 = Monday
    grid[static_cast<std::size_t>(iso - 1)][static_cast<std::size_t>(hour)] += q.total;
  }
  json::array heat;
  for (const auto& row : grid) {
    json::array r;
    for (auto n : row)
      r.push_back(n);
    heat.push_back(std::move(r));
  }
  return {{"user_id", user_id},
          {"days", days},
          {"timezone", zone->name()},
          {"daily", std::move(daily)},
          {"weekday_hour", std::move(heat)},
          {"generated_at", format_rfc3339(now)}};
}

}  // namespace task::server
