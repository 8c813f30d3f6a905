#pragma once
/// An in-memory TaskRepository: every storage role of task/ports/repository.hpp with the
/// documented semantics, one mutex around everything (so each call is atomic). Starts with no
/// templates.
///
/// Ownership: the repository owns every row it stores; results are copies (no reference into the
/// repository escapes a call). Thread-safety: every method may be called from any number of
/// threads; one mutex makes each call atomic, and modify_task's callback runs under it (so the
/// callback must not call back into the repository).
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "task/ports/repository.hpp"

namespace task::memory {

/// The in-memory repository; thread-safe. Not final: tests derive from it to inject failures.
class MemoryRepository : public TaskRepository {
 public:
  // Every role of TaskRepository but StorageHealth, declared once for both adapters.
#include "task/ports/repository_overrides.inc"

  // --- StorageHealth ---
  void ping() override {}

 private:
  /// claim_lost_runs with mu_ held; appends to `out` until it holds `limit` tasks.
  void claim_lost_locked(Timestamp now, int limit, std::string_view owner,
                         std::chrono::microseconds lease, std::vector<Task>& out);
  /// insert_task with mu_ held.
  Task insert_locked(const Task& task, const std::vector<Event>& events);
  /// modify_tasks with mu_ held.
  std::vector<std::optional<Change>> modify_locked(
      const std::vector<std::string>& task_ids,
      const std::function<std::optional<Change>(const Task&)>& fn);
  struct OutboxRow {
    OutboxEntry entry;
    std::optional<Timestamp> published_at;
  };
  struct UserLevel {
    SubscriptionLevel level;
    Timestamp changed_at;
  };

  void append_events(const std::vector<Event>& events);
  void store_execution(Execution e);
  std::vector<Task> due_tasks_locked(Timestamp now) const;

  /// Sums of the executions pruned (RetentionStore) by (user, UTC quarter hour): what the SQL
  /// backends keep in their rollup, so analytics stay the same after a prune.
  struct PrunedQuarter {
    std::int64_t total = 0, successful = 0, failed = 0;
    std::int64_t duration_sum = 0, duration_count = 0;
    double credits = 0;
    std::int64_t tokens = 0, api_calls = 0;
  };

  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::int64_t>, PrunedQuarter> pruned_;
  std::map<std::string, Task, std::less<>> tasks_;
  std::map<std::string, Execution, std::less<>> executions_;
  std::vector<Completion> completions_;  ///< in insert order
  std::map<std::string, Template, std::less<>> templates_;
  std::map<std::string, UserLevel, std::less<>> levels_;
  std::vector<OutboxRow> outbox_;
  std::map<std::pair<std::string, std::string>, IdempotencyRecord> idempotency_;
  std::int64_t next_task_id_ = 0;
  std::int64_t next_execution_id_ = 0;
  std::int64_t next_template_id_ = 0;
  std::int64_t next_seq_ = 0;
};

/// Upserts the built-in templates (task/rules/builtin_templates.hpp) into `repo`.
void load_builtin_templates(CatalogStore& catalog, Timestamp at);

}  // namespace task::memory
