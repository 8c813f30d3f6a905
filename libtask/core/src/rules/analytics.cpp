// Analytics figures (docs/api.md §3) from repository aggregates.
#include "task/rules/analytics.hpp"
#include "task/codec/json_numbers.hpp"

#include <date/tz.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "task/core/errors.hpp"

namespace task {
namespace {

constexpr std::array<const char*, 7> kWeekdays{"Sunday",   "Monday", "Tuesday", "Wednesday",
                                               "Thursday", "Friday", "Saturday"};

const date::time_zone* zone_or_throw(const std::optional<std::string>& tz) {
  if (!tz || *tz == "UTC") return nullptr;
  try {
    return date::locate_zone(*tz);
  } catch (const std::exception&) {
    throw ValidationError({"query", "tz"}, "Unknown time zone: " + *tz, "value_error");
  }
}

/// Indices of the up to 5 largest counts, by count desc then index asc; zero counts skipped.
template <std::size_t N>
std::vector<int> top5(const std::array<std::int64_t, N>& counts) {
  std::vector<int> idx;
  for (std::size_t i = 0; i < N; ++i)
    if (counts[i] > 0) idx.push_back(static_cast<int>(i));
  std::stable_sort(idx.begin(), idx.end(), [&](int a, int b) {
    return counts[static_cast<std::size_t>(a)] > counts[static_cast<std::size_t>(b)];
  });
  if (idx.size() > 5) idx.resize(5);
  return idx;
}

void bucket_busiest(Analytics& a, const ExecutionTotals& totals, const date::time_zone* zone) {
  std::array<std::int64_t, 24> hours{};
  std::array<std::int64_t, 7> days{};
  for (const auto& [quarter, count] : totals.by_quarter_hour) {
    const date::sys_seconds utc{std::chrono::seconds{quarter * 900}};
    const auto offset = zone ? zone->get_info(utc).offset : std::chrono::seconds{0};
    const auto local = utc + offset;
    const auto day = std::chrono::floor<date::days>(local);
    const auto hour = std::chrono::duration_cast<std::chrono::hours>(local - day).count();
    hours[static_cast<std::size_t>(hour)] += count;
    days[date::weekday{day}.c_encoding()] += count;
  }
  a.busiest_hours = top5(hours);
  for (int d : top5(days))
    a.busiest_days.emplace_back(kWeekdays[static_cast<std::size_t>(d)]);
}

std::int64_t count_of(const TaskCounts& c, TaskStatus s) {
  const auto it = c.by_status.find(s);
  return it == c.by_status.end() ? 0 : it->second;
}

}  // namespace

double round2(double v) {
  return std::round(v * 100.0) / 100.0;
}

Analytics compute_analytics(const std::string& user_id, int days, const TaskCounts& counts,
                            const ExecutionTotals& totals, const std::optional<std::string>& tz,
                            Timestamp now) {
  const auto* zone = zone_or_throw(tz);
  Analytics a;
  a.user_id = user_id;
  a.time_period = "Last " + std::to_string(days) + " days";
  for (const auto& [status, n] : counts.by_status)
    a.total_tasks += n;
  a.active_tasks = count_of(counts, TaskStatus::pending) + count_of(counts, TaskStatus::scheduled) +
                   count_of(counts, TaskStatus::running);
  a.completed_tasks = count_of(counts, TaskStatus::completed);
  a.failed_tasks = count_of(counts, TaskStatus::failed);
  a.paused_tasks = count_of(counts, TaskStatus::paused);
  for (const auto& [type, n] : counts.by_type)
    if (n > 0) a.task_types_distribution[std::string(to_string(type))] = n;
  a.total_executions = totals.total;
  a.successful_executions = totals.successful;
  a.failed_executions = totals.failed;
  a.success_rate = totals.total ? round2(100.0 * static_cast<double>(totals.successful) /
                                         static_cast<double>(totals.total))
                                : 0.0;
  a.average_execution_time = round2(totals.average_duration_ms / 1000.0);
  // Saturated, never infinite (JSON has no infinity: it would be written as null).
  a.total_credits_consumed = saturating_add(0, totals.credits);
  a.total_tokens_used = totals.tokens;
  a.total_api_calls = totals.api_calls;
  bucket_busiest(a, totals, zone);
  a.created_at = now;
  return a;
}

}  // namespace task
