// Execution retention of SqlRepository (RetentionStore; docs/storage.md, "Execution retention"):
// one short transaction per batch, an index range of idx_executions_started (migration 0010),
// and the rollup of 0005 left as it is for these deletes, so analytics do not change.
#include <algorithm>

#include "sql_repository.hpp"

namespace task::store::detail {

std::int64_t SqlRepository::prune_executions(Timestamp cutoff, int limit) {
  limit = std::clamp(limit, 1, kMaxPruneBatch);
  const std::string table = t("task_executions");
  return db_->in_transaction([&](soci::session& s) {
    Params none;
    if (d().pg()) {
      // For this transaction only: the rollup's delete trigger (0010) skips these deletes.
      query(s, "SELECT set_config('task.pruning', 'on', true)", none, [](const soci::row&) {});
    } else {
      // The marker row of 0010's trigger condition; SQLite has one writer, and the row is gone
      // again before the commit.
      execute(s, "INSERT INTO execution_pruning (active) VALUES (1)", none);
    }
    Params p;
    // Oldest first; on PostgreSQL rows another pruner has locked are skipped, not waited for.
    const std::int64_t n = execute(
        s,
        "DELETE FROM " + table + " WHERE id IN (SELECT id FROM " + table + " WHERE started_at < " +
            p.add(cutoff) + " AND status <> 'running' ORDER BY " + "started_at LIMIT " +
            p.add(limit) + (d().pg() ? " FOR UPDATE SKIP LOCKED" : "") + ")",
        p);
    if (!d().pg()) execute(s, "DELETE FROM execution_pruning", none);
    return n;
  });
}

}  // namespace task::store::detail
