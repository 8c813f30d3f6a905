#pragma once
/// The RetentionStore role: execution history pruning (docs/api.md §16 "Execution retention",
/// docs/storage.md "Execution retention"). The scheduler's pruner (task::runtime) calls it in
/// bounded batches; nothing else deletes executions.
///
/// What pruning keeps: analytics and task counters. StatsStore::execution_totals and
/// execution_quarters give the same results before and after a prune for every window whose
/// start is on a quarter-hour edge or in a quarter hour no pruned execution started in (the SQL
/// backends keep the pruned executions in the per-quarter-hour rollup of migration 0005, the
/// memory backend in its own per-quarter-hour sums); a window starting inside a pruned quarter
/// hour counts that quarter's remaining stored rows from its start on (the pruned rows' exact
/// times are gone). Task rows (run_count, counters, credits) are not touched.
///
/// Ownership: the storage object is shared (std::shared_ptr); arguments are read during the call.
/// Thread-safety: may be called from any number of threads and replicas at once (on PostgreSQL
/// concurrent pruners skip each other's locked rows instead of waiting).
#include <cstdint>

#include "task/core/time.hpp"

namespace task {

/// Deletes old executions.
class RetentionStore {
 public:
  virtual ~RetentionStore() = default;
  /// The most rows one prune_executions call deletes.
  static constexpr int kMaxPruneBatch = 10000;
  /// Deletes up to `limit` (clamped to 1..kMaxPruneBatch) executions started before `cutoff`
  /// that are not `running`, oldest first, in one short transaction (one indexed range of
  /// started_at); returns how many it deleted. Fewer than `limit` means none is left (unless
  /// another pruner took some meanwhile).
  virtual std::int64_t prune_executions(Timestamp cutoff, int limit) = 0;
};

}  // namespace task
