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
  // --- TaskStore ---
  Task insert_task(const Task& task, const std::vector<Event>& events) override;
  Task insert_task_within(const Task& task, const std::vector<Event>& events,
                          std::int64_t max_tasks) override;
  std::optional<Task> find_task(std::string_view task_id) override;
  TaskPage list_tasks(const TaskQuery& query) override;
  std::optional<Change> modify_task(
      std::string_view task_id,
      const std::function<std::optional<Change>(const Task&)>& fn) override;
  std::optional<Execution> find_execution(std::string_view execution_id) override;
  ExecutionPage list_executions(std::string_view task_id, int limit, int offset) override;
  std::int64_t count_executions_since(std::string_view user_id, Timestamp since) override;
  std::vector<Completion> list_completions(std::string_view task_id, int limit) override;

  // --- SchedulerStore ---
  std::vector<Task> list_due_tasks(Timestamp now, int limit) override;
  std::vector<Task> claim_lost_runs(Timestamp now, int limit, std::string_view owner,
                                    std::chrono::microseconds lease) override;
  using SchedulerStore::modify_due_tasks;
  std::vector<std::pair<Task, std::optional<Change>>> modify_due_tasks(
      Timestamp now, int limit, const ClaimFairness& fairness,
      const std::function<std::optional<Change>(const Task&)>& fn) override;
  std::vector<std::optional<Change>> modify_tasks(
      const std::vector<std::string>& task_ids,
      const std::function<std::optional<Change>(const Task&)>& fn) override;
  std::optional<Timestamp> earliest_due_time() override;
  std::vector<Task> list_due_reminders(Timestamp now, int limit) override;

  // --- OutboxStore ---
  std::vector<OutboxEntry> fetch_outbox(int limit) override;
  void mark_published(const std::vector<std::int64_t>& seqs, Timestamp now) override;
  std::int64_t prune_outbox(Timestamp before) override;
  std::pair<std::int64_t, std::optional<Timestamp>> outbox_backlog() override;

  // --- CatalogStore ---
  std::vector<Template> list_templates(const TemplateQuery& query) override;
  std::optional<Template> find_template(std::string_view template_id) override;
  Template upsert_template(const Template& tmpl) override;

  // --- UserStore ---
  std::optional<SubscriptionLevel> find_user_level(std::string_view user_id) override;
  void set_user_level(std::string_view user_id, SubscriptionLevel level,
                      Timestamp changed_at) override;
  std::vector<std::string> list_open_task_ids(std::string_view user_id) override;

  // --- StatsStore ---
  TaskCounts count_tasks_by(std::optional<std::string_view> user_id) override;
  ExecutionTotals execution_totals(std::optional<std::string_view> user_id,
                                   Timestamp since) override;

  // --- StorageHealth, ArchiveStore ---
  void ping() override {}
  void restore(const Task& task, const std::vector<Execution>& executions) override;

  // --- StatsStore, operator view and dashboard series: memory_repository_operator.cpp
  std::vector<RunInFlight> list_runs_in_flight(int limit) override;
  std::vector<QuarterTotals> execution_quarters(std::string_view user_id, Timestamp since) override;

  // --- RetentionStore: memory_repository_retention.cpp
  std::int64_t prune_executions(Timestamp cutoff, int limit) override;

  // --- IdempotencyStore: memory_repository_idempotency.cpp
  IdempotencyBegin begin_idempotent(const IdempotencyRecord& candidate, Timestamp now) override;
  bool complete_idempotent(std::string_view user_id, std::string_view key, std::string_view owner,
                           int status, const std::string& body, const std::string& headers,
                           Timestamp expires_at) override;
  void release_idempotent(std::string_view user_id, std::string_view key,
                          std::string_view owner) override;
  std::int64_t prune_idempotency(Timestamp now, int limit) override;
  std::optional<IdempotencyRecord> find_idempotency(std::string_view user_id,
                                                    std::string_view key) override;

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
