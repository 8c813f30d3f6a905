// The batched writes of the scheduler's start and finish (and of every read-modify-write) on
// PostgreSQL: task rows, executions and outbox events as one statement each over arrays
// (`unnest`), so a batch of any size is one statement text, prepared once per pooled session,
// with one bound value per column instead of one per cell (docs/storage.md "Transactions").
#include <map>

#include "codec.hpp"
#include "sql_repository.hpp"

namespace task::store::detail {

void SqlRepository::write_arrays(soci::session& s, const std::vector<const Task*>& tasks,
                                 const std::vector<const Task*>& before,
                                 const std::vector<Execution*>& executions,
                                 const std::vector<const Event*>& events) {
  if (!tasks.empty()) {
    // The rows exist and the caller holds their locks: one UPDATE joined to the arrays by id,
    // of the columns some row of the batch changes (a run's start or finish leaves the JSON
    // columns config, schedule, metadata alone: they are neither sent nor parsed again).
    const auto cols = task_arrays(tasks, &before);
    Params p;
    if (cols.names.size() > 1)  // the row id and at least one column
      execute(s,
              "UPDATE " + t("user_tasks") + " AS t SET " + cols.assignments(1) + " FROM " +
                  cols.unnest(p) + " WHERE t.id = v.id",
              p);
  }
  if (!executions.empty()) {
    // Inserted or updated by execution_id; a taken (task_id, scheduled_for) slot fails the
    // statement (Conflict after the rollback).
    std::vector<const Execution*> rows(executions.begin(), executions.end());
    const auto cols = execution_arrays(rows);
    Params p;
    std::map<std::string, std::int64_t, std::less<>> ids;
    query(s,
          "INSERT INTO " + t("task_executions") + " (" + cols.column_list() + ") SELECT " +
              cols.value_list() + " FROM " + cols.unnest(p) +
              " ON CONFLICT (execution_id) DO UPDATE SET " +
              excluded_assignments(cols.column_list()) + " RETURNING execution_id, id",
          p, [&](const soci::row& r) { ids[col_str(r, 0)] = col_i64(r, 1); });
    for (Execution* e : executions)
      e->id = ids[e->execution_id];
  }
  insert_event_arrays(s, events);
}

void SqlRepository::insert_event_arrays(soci::session& s, const std::vector<const Event*>& events) {
  if (events.empty()) return;
  const auto cols = event_arrays(events);
  Params p;
  execute(s,
          "INSERT INTO " + t("event_outbox") + " (" + cols.column_list() + ") SELECT " +
              cols.value_list() + " FROM " + cols.unnest(p),
          p);
}

}  // namespace task::store::detail
