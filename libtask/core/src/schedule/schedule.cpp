/// Fire-time math: wall-clock slots resolved through the zone's DST rules, interval and once
/// slots, bounds (start_at/end_at/max_runs) and the misfire plan.
#include <deque>
#include <exception>
#include <limits>

#include "detail.hpp"
#include "task/core/time_bounds.hpp"

namespace task::schedule {
namespace detail {

const date::time_zone* find_zone(const std::string& name) noexcept {
  // "localtime" is the host's zone file, not an IANA name: its meaning depends on the machine.
  if (name.empty() || name == "localtime") return nullptr;
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return nullptr;
  }
}

Timestamp resolve_local(const date::time_zone* zone, LocalMicros local) {
  const date::local_info info = zone->get_info(local);
  if (info.result == date::local_info::nonexistent)
    return std::chrono::time_point_cast<Micros>(info.second.begin);
  // unique, or ambiguous: `first` is the offset in force before the transition, which gives the
  // first occurrence.
  return Timestamp{local.time_since_epoch() - info.first.offset};
}

LocalMicros local_at(const date::time_zone* zone, Timestamp t) {
  return zone->to_local(t);
}

}  // namespace detail

namespace {

using detail::LocalMin;

/// The first wall-clock slot (local minute) >= `from` of a daily/weekly/monthly/cron schedule.
std::optional<LocalMin> next_local_slot(const Schedule& s, LocalMin from) {
  using date::days;
  const auto time_of_day = std::chrono::hours{s.hour} + std::chrono::minutes{s.minute};
  const auto day = date::floor<days>(from);
  switch (s.kind) {
    case Kind::cron:
      return detail::next_cron_local(s.cron, from);
    case Kind::daily: {
      const LocalMin cand = day + time_of_day;
      return cand >= from ? cand : cand + days{1};
    }
    case Kind::weekly: {
      const unsigned today = date::weekday{date::sys_days{day.time_since_epoch()}}.iso_encoding();
      const int ahead = (s.weekday - static_cast<int>(today) + 7) % 7;
      const LocalMin cand = day + days{ahead} + time_of_day;
      return cand >= from ? cand : cand + days{7};
    }
    case Kind::monthly: {
      const date::year_month_day ymd{date::sys_days{day.time_since_epoch()}};
      auto ym = ymd.year() / ymd.month();
      for (int i = 0; i < 2; ++i, ym += date::months{1}) {
        const unsigned last = unsigned((ym / date::last).day());
        const auto d = date::sys_days{ym / std::min(unsigned(s.day), last)};
        const LocalMin cand = date::local_days{d.time_since_epoch()} + time_of_day;
        if (cand >= from) return cand;
      }
      return std::nullopt;
    }
    default:
      return std::nullopt;
  }
}

/// The first wall-clock slot strictly after `after`, resolved to an instant.
std::optional<Timestamp> next_wall_clock(const Schedule& s, Timestamp after) {
  const date::time_zone* zone = detail::find_zone(s.timezone);
  if (!zone) return std::nullopt;
  // Every slot whose local time is <= local(after) resolves to an instant <= after, so the search
  // starts at the next local minute. After a fall-back a few slots may still resolve to instants
  // <= after (their first occurrence already passed); those are skipped — at most one repeated
  // hour's worth.
  LocalMin from =
      date::floor<std::chrono::minutes>(detail::local_at(zone, after)) + std::chrono::minutes{1};
  for (int i = 0; i < 4000; ++i) {
    const auto slot = next_local_slot(s, from);
    if (!slot) return std::nullopt;
    const Timestamp t = detail::resolve_local(zone, *slot);
    if (t > after) return t;
    from = *slot + std::chrono::minutes{1};
  }
  return std::nullopt;
}

/// Interval slots: anchor + k * interval, k >= 0.
std::optional<Timestamp> next_interval(const Schedule& s, Timestamp after) {
  if (s.interval_seconds <= 0) return std::nullopt;
  const Timestamp anchor = s.start_at.value_or(Timestamp{});
  if (after < anchor) return anchor;
  const std::int64_t step = s.interval_seconds * 1'000'000;
  const std::int64_t k = (after - anchor).count() / step + 1;
  if (k > std::numeric_limits<std::int64_t>::max() / step) return std::nullopt;
  const std::int64_t offset = k * step;
  if (anchor.time_since_epoch().count() > std::numeric_limits<std::int64_t>::max() - offset)
    return std::nullopt;
  return anchor + Micros{offset};
}

/// Up to `k` of the latest slots in (lo, hi], ascending. Looks back through growing windows from
/// `hi` so that a long outage does not mean walking every slot since `lo`.
std::vector<Timestamp> last_slots(const Schedule& s, Timestamp lo, Timestamp hi, std::size_t k) {
  Micros window = std::chrono::hours{1};
  constexpr int kMaxSteps = 200'000;
  while (true) {
    const bool whole = hi - lo <= window;
    const Timestamp from = whole ? lo : hi - window;
    std::deque<Timestamp> ring;
    int steps = 0;
    for (auto t = next_fire(s, from); t && *t <= hi && steps < kMaxSteps; t = next_fire(s, *t)) {
      ring.push_back(*t);
      if (ring.size() > k) ring.pop_front();
      ++steps;
    }
    if (ring.size() >= k || whole || steps >= kMaxSteps) return {ring.begin(), ring.end()};
    window *= 8;
  }
}

}  // namespace

std::optional<Timestamp> next_fire(const Schedule& s, Timestamp after) {
  try {
    if (s.start_at && after < *s.start_at - Micros{1}) after = *s.start_at - Micros{1};
    std::optional<Timestamp> t;
    switch (s.kind) {
      case Kind::once:
        if (s.run_at > after) t = s.run_at;
        break;
      case Kind::interval:
        t = next_interval(s, after);
        break;
      default:
        t = next_wall_clock(s, after);
    }
    if (t && s.end_at && *t > *s.end_at) return std::nullopt;
    // No slot after 9999-12-31T23:59:59.999999Z: the schedule ends there (task/core/time_bounds).
    if (t && !within_timestamp_range(*t)) return std::nullopt;
    return t;
  } catch (const std::exception&) {
    return std::nullopt;  // e.g. a date outside the zone library's range
  }
}

std::vector<Timestamp> next_fires(const Schedule& s, Timestamp after, std::size_t n) {
  std::vector<Timestamp> out;
  for (auto t = next_fire(s, after); t && out.size() < n; t = next_fire(s, *t))
    out.push_back(*t);
  return out;
}

std::optional<Timestamp> first_fire(const Schedule& s, Timestamp now) {
  if (s.kind == Kind::once) {
    const bool in_bounds =
        (!s.start_at || s.run_at >= *s.start_at) && (!s.end_at || s.run_at <= *s.end_at);
    return in_bounds ? std::optional<Timestamp>{s.run_at} : std::nullopt;
  }
  return next_fire(s, now - Micros{1});
}

DuePlan plan_due(const Schedule& s, Timestamp due, Timestamp now, std::int64_t runs_so_far) {
  DuePlan plan;
  const std::int64_t remaining =
      s.max_runs ? *s.max_runs - runs_so_far : std::numeric_limits<std::int64_t>::max();
  if (remaining <= 0) return plan;
  if (due > now) {
    plan.next = due;
    return plan;
  }
  const std::size_t keep = s.misfire == Misfire::run_all ? kMaxCatchUp : 1;
  std::vector<Timestamp> missed;
  if (!s.end_at || due <= *s.end_at) missed.push_back(due);
  for (const Timestamp t : last_slots(s, due, now, keep))
    missed.push_back(t);
  if (missed.size() > keep) missed.erase(missed.begin(), missed.end() - std::ptrdiff_t(keep));
  if (s.misfire == Misfire::skip) {
    if (!missed.empty() && now - missed.back() <= kMisfireGrace) plan.run = {missed.back()};
  } else {
    plan.run = std::move(missed);
  }
  if (static_cast<std::int64_t>(plan.run.size()) > remaining)
    plan.run.erase(plan.run.begin(), plan.run.end() - std::ptrdiff_t(remaining));
  if (remaining > static_cast<std::int64_t>(plan.run.size())) plan.next = next_fire(s, now);
  return plan;
}

}  // namespace task::schedule
