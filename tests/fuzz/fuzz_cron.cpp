// Fuzzes cron expressions (schedule.expression). Properties: only task::ValidationError escapes;
// an accepted expression re-parses from its normalized text to the same spec, has at least one
// value in every field, and its next slots strictly increase.
#include <boost/json/object.hpp>

#include "support.hpp"
#include "task/core/errors.hpp"
#include "task/schedule/schedule.hpp"

using namespace task;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 512) return 0;  // longer than any expression worth parsing; the body limit applies
  const auto text = fuzz::as_text(data, size);
  schedule::CronSpec spec;
  try {
    spec = schedule::parse_cron(text, {"body", "schedule", "expression"});
  } catch (const ValidationError& e) {
    fuzz::check(!e.errors.empty(), "ValidationError without errors");
    return 0;
  }
  fuzz::check(spec.minutes != 0 && spec.hours != 0 && spec.days_of_month != 0 && spec.months != 0 &&
                  spec.days_of_week != 0,
              "accepted cron with an empty field", spec.expression);
  fuzz::check((spec.minutes >> 60) == 0 && (spec.hours >> 24) == 0 &&
                  (spec.days_of_month & 1u) == 0 && (spec.months & 1u) == 0 &&
                  (spec.months >> 13) == 0 && (spec.days_of_week >> 7) == 0,
              "cron bit outside its range", spec.expression);
  schedule::CronSpec again;
  try {
    again = schedule::parse_cron(spec.expression, {"x"});
  } catch (const ValidationError& e) {
    fuzz::fail("normalized cron expression does not re-parse", spec.expression);
  }
  fuzz::check(again == spec, "cron re-parse differs", spec.expression);

  schedule::Schedule s;
  s.kind = schedule::Kind::cron;
  s.cron = spec;
  const auto fires = schedule::next_fires(s, fuzz::fixed_now(), 3);
  fuzz::check(!fires.empty(), "accepted cron never fires", spec.expression);
  for (std::size_t i = 0; i < fires.size(); ++i)
    fuzz::check(fires[i] > (i ? fires[i - 1] : fuzz::fixed_now()), "cron slots not increasing",
                spec.expression);
  return 0;
}
