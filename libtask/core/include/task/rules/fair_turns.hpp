#pragma once
/// The scheduler's fair claim order (API §16, docs/scheduler.md "Fair turns"), as a pure
/// function: task::memory claims with it, and the SQL claim of task::store computes the same
/// order with window functions (tests/store checks that they agree).
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "task/domain/model.hpp"
#include "task/ports/scheduler_store.hpp"

namespace task {

/// Orders due tasks for a claim so users take turns within a priority: higher priority first;
/// within a priority, every user's 1st task (by slot, then row id), then every user's 2nd, …;
/// ties by slot, then row id. A user's tasks beyond `room(user_id)` (counted over all
/// priorities, highest first; nullopt = no limit, <= 0 = none) are left out; at most `limit`
/// tasks are returned. `due` must hold due tasks (next_run_time set).
std::vector<const Task*> fair_turn_order(
    const std::vector<const Task*>& due, std::size_t limit,
    const std::function<std::optional<int>(std::string_view user_id)>& room);

/// Parses TASK_USER_CONCURRENCY: `off` (no turns, no limit: the first release's claim order),
/// one number for every level (`8`; 0 = no limit, turns stay on), or `level=N` pairs separated
/// by commas (`free=1,pro=8`; levels not named keep their defaults free 1, basic 2, pro 4,
/// enterprise 16). The default level is left as in `base`. Throws std::invalid_argument with
/// a message naming the bad part.
ClaimFairness parse_user_concurrency(std::string_view text, ClaimFairness base = {});

}  // namespace task
