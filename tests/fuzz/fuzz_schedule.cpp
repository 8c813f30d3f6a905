// Fuzzes schedule JSON (the `schedule` of create/update/from-template). Properties: only
// task::ValidationError escapes; the normalized form (to_json) parses back to the same schedule;
// slots strictly increase and stay inside [start_at, end_at]; plan_due never runs more than
// kMaxCatchUp slots and never a slot after `now`.
#include <boost/json/serialize.hpp>

#include "support.hpp"
#include "task/core/errors.hpp"
#include "task/schedule/schedule.hpp"

namespace json = boost::json;
using namespace task;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto body = fuzz::parse_json(fuzz::as_text(data, size));
  if (!body) return 0;
  const auto now = fuzz::fixed_now();
  schedule::Schedule s;
  try {
    s = schedule::parse_schedule(*body, now);
  } catch (const ValidationError& e) {
    fuzz::check(!e.errors.empty(), "ValidationError without errors");
    return 0;
  }
  if (fuzz::outside_rfc3339_years(s.start_at) || fuzz::outside_rfc3339_years(s.end_at) ||
      (s.kind == schedule::Kind::once && fuzz::outside_rfc3339_years(s.run_at))) {
    fuzz::known_finding(6, "a schedule instant outside years 0001-9999 is accepted");
    return 0;
  }
  const json::value normalized = schedule::to_json(s);
  schedule::Schedule again;
  try {
    again = schedule::parse_schedule(normalized, now);
  } catch (const ValidationError& e) {
    fuzz::fail("normalized schedule does not re-parse",
               json::serialize(normalized) + ": " + e.what());
  }
  fuzz::check(again == s, "schedule round trip differs", json::serialize(normalized));

  const auto fires = schedule::next_fires(s, now, 4);
  for (std::size_t i = 0; i < fires.size(); ++i) {
    fuzz::check(fires[i] > (i ? fires[i - 1] : now), "slots not increasing",
                json::serialize(normalized));
    fuzz::check(!s.end_at || fires[i] <= *s.end_at, "slot after end_at",
                json::serialize(normalized));
    fuzz::check(!s.start_at || fires[i] >= *s.start_at, "slot before start_at",
                json::serialize(normalized));
  }
  if (const auto first = schedule::first_fire(s, now)) {
    // The task comes due three days after its first slot: what runs now, and what comes next.
    const auto later = *first + std::chrono::hours(72);
    const auto plan = schedule::plan_due(s, *first, later, 0);
    fuzz::check(plan.run.size() <= schedule::kMaxCatchUp, "plan_due runs too many slots");
    for (const auto& t : plan.run)
      fuzz::check(t <= later, "plan_due runs a future slot", json::serialize(normalized));
    if (plan.next) fuzz::check(*plan.next > later, "next slot not after now");
  }
  return 0;
}
