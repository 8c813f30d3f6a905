#pragma once
/// Tasks the benchmarks write: ids from a counter, spread over 100 users. Header-only; each
/// benchmark includes it as "bench_tasks.hpp" (bench/ is on its include path).
#include <boost/json/object.hpp>
#include <cstdint>
#include <cstdio>
#include <string>

#include "task/core/time.hpp"
#include "task/domain/model.hpp"
#include "task/schedule/schedule.hpp"

namespace task_bench {

/// Task `n` of user `user_prefix` + (n mod 100), with its generated-looking id.
inline task::Task numbered_task(std::int64_t n, const std::string& user_prefix) {
  task::Task t;
  char id[32];
  std::snprintf(id, sizeof id, "tsk_%024llx", static_cast<unsigned long long>(n));
  t.task_id = id;
  t.user_id = user_prefix + std::to_string(n % 100);
  t.name = "bench task " + std::to_string(n);
  return t;
}

/// A todo task with a `once` schedule at `slot`, due from `slot` on (the todo executor without
/// a notification service succeeds without I/O).
inline task::Task due_task(std::int64_t n, task::Timestamp slot, task::Timestamp now,
                           const std::string& user_prefix = "bench-user-") {
  task::Task t = numbered_task(n, user_prefix);
  t.task_type = task::TaskType::todo;
  t.status = task::TaskStatus::scheduled;
  const boost::json::object spec{{"type", "once"}, {"run_at", task::format_rfc3339(slot)}};
  t.schedule = task::schedule::to_json(task::schedule::parse_schedule(spec, now));
  t.next_run_time = slot;
  t.created_at = now;
  t.updated_at = now;
  return t;
}

}  // namespace task_bench
