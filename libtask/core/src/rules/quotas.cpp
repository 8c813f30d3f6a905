#include "task/rules/quotas.hpp"

#include <date/date.h>

namespace task {

Timestamp utc_day_start(Timestamp t) {
  return std::chrono::time_point_cast<Micros>(std::chrono::floor<date::days>(t));
}

}  // namespace task
