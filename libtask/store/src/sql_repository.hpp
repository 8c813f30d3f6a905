#pragma once
/// The SOCI implementation of TaskRepository: one class for SQLite and PostgreSQL; the
/// differences live in Dialect.
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <set>

#include "database.hpp"
#include "sql_exec.hpp"
#include "task/ports/repository.hpp"

namespace task::store::detail {

/// TaskRepository over a Database (pool + dialect).
class SqlRepository final : public TaskRepository {
 public:
  explicit SqlRepository(std::unique_ptr<Database> db);

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
  void ping() override;
  std::int64_t unreadable_rows() const override { return unreadable_.load(); }
  void set_unreadable_row_hook(std::function<void(const Unreadable&)> hook) override {
    hook_ = std::move(hook);
  }
  void restore(const Task& task, const std::vector<Execution>& executions) override;

  // --- StatsStore, operator view and dashboard series: sql_repository_operator.cpp
  std::vector<RunInFlight> list_runs_in_flight(int limit) override;
  std::vector<QuarterTotals> execution_quarters(std::string_view user_id, Timestamp since) override;

  // --- RetentionStore: sql_repository_retention.cpp
  std::int64_t prune_executions(Timestamp cutoff, int limit) override;

  // --- IdempotencyStore: sql_repository_idempotency.cpp
  IdempotencyBegin begin_idempotent(const IdempotencyRecord& candidate, Timestamp now) override;
  bool complete_idempotent(std::string_view user_id, std::string_view key, std::string_view owner,
                           int status, const std::string& body, const std::string& headers,
                           Timestamp expires_at) override;
  void release_idempotent(std::string_view user_id, std::string_view key,
                          std::string_view owner) override;
  std::int64_t prune_idempotency(Timestamp now, int limit) override;
  std::optional<IdempotencyRecord> find_idempotency(std::string_view user_id,
                                                    std::string_view key) override;

  /// Inserts the built-in templates that are not stored yet.
  void seed_templates(const std::vector<Template>& templates);

 private:
  const Dialect& d() const { return db_->dialect(); }
  std::string t(const char* name) const { return d().table(name); }
  /// What a read does with a row it cannot decode: a listing or a scheduler round skips it
  /// (counted, reported to the hook); a read of that one row throws task::Unreadable.
  enum class OnUnreadable { skip, fail };
  std::vector<Task> select_tasks(soci::session& s, const std::string& where_and_order, Params& p,
                                 OnUnreadable mode = OnUnreadable::skip);
  /// task_from_row, or nullopt after counting and reporting an undecodable row (skip).
  std::optional<Task> decode_task(const soci::row& r, OnUnreadable mode);
  std::optional<Execution> decode_execution(const soci::row& r, OnUnreadable mode);
  /// Counts and reports a skipped row.
  void skipped(const Unreadable& e);
  /// ` AND id NOT IN (...)` over the task rows found undecodable in the last 5 minutes (or ""):
  /// the scheduler's queries leave them out, so a damaged due row does not keep it busy-looping
  /// (after 5 minutes the rows are tried, counted and reported again).
  std::string skip_unreadable();
  /// INSERTs a new task row (version 1) and its events on `s`; returns it with its row id.
  Task insert_row(soci::session& s, const Task& task, const std::vector<Event>& events);
  /// The column list and bound values of row i of a multi-row INSERT.
  using RowValues = std::function<std::pair<std::string, std::string>(std::size_t, Params&)>;
  /// Inserts n rows with as few statements as the parameter limit allows: each statement is
  /// head(columns) + " VALUES (...), (...)" + tail(columns); `on_row` (may be null) reads what a
  /// RETURNING clause gives.
  void insert_rows(soci::session& s, std::size_t n, const RowValues& row,
                   const std::function<std::string(const std::string&)>& head,
                   const std::function<std::string(const std::string&)>& tail,
                   const std::function<void(const soci::row&)>& on_row);
  /// Leases up to n rows matching `where` (locked, SKIP LOCKED) to `owner` until `until`,
  /// appending them to `out` in claim order.
  void claim_rows(soci::session& s, const std::string& where, Params& p, int n,
                  std::string_view owner, Timestamp until, std::vector<Task>& out);
  /// The due tasks a claim takes, in claim order, locked (scheduler side: sql_repository_fair.cpp).
  std::vector<Task> lock_due_by_priority(soci::session& s, Timestamp now, int limit);
  std::vector<Task> lock_due_fairly(soci::session& s, Timestamp now, int limit,
                                    const ClaimFairness& fairness);
  /// The SELECT of the due rows' ids in fair_turn_order within each user's room (fair_id,
  /// fair_limit: the limit of the user's level, fair_ord: the claim order), window functions in
  /// SQL; `limited`: some level has a limit.
  std::string fair_order(soci::session& s, Timestamp now, int limit, const ClaimFairness& fairness,
                         bool limited, Params& p);
  /// Calls fn on every locked row (null = none: nullopt), fixes the identity of the task rows
  /// it returns (id, task_id, version + 1) and writes all changes.
  std::vector<std::optional<Change>> change_rows(
      soci::session& s, const std::vector<const Task*>& rows,
      const std::function<std::optional<Change>(const Task&)>& fn);
  /// Stores the changes of a read-modify-write whose task rows the caller locked (ids and
  /// versions set): task rows, executions (their ids filled in), then outbox events.
  /// `before` (may be null): the task rows as read, parallel to `changes` (null entries: not
  /// known); PostgreSQL then writes only the columns that changed.
  void write_changes(soci::session& s, const std::vector<Change*>& changes,
                     const std::vector<const Task*>* before = nullptr);
  void insert_events(soci::session& s, const std::vector<const Event*>& events);
  /// PostgreSQL's write_changes and insert_events: one statement per table over arrays
  /// (sql_repository_scheduler_writes.cpp).
  void write_arrays(soci::session& s, const std::vector<const Task*>& tasks,
                    const std::vector<const Task*>& before,
                    const std::vector<Execution*>& executions,
                    const std::vector<const Event*>& events);
  void insert_event_arrays(soci::session& s, const std::vector<const Event*>& events);

  std::unique_ptr<Database> db_;
  std::atomic<std::int64_t> unreadable_{0};
  /// The last fair claim came back full: assume a backlog (sql_repository_fair.cpp).
  std::atomic<bool> fair_backlog_{false};
  std::function<void(const Unreadable&)> hook_;
  std::mutex unreadable_mutex_;
  std::set<std::int64_t> unreadable_ids_;
  std::chrono::steady_clock::time_point unreadable_since_ = std::chrono::steady_clock::now();
};

}  // namespace task::store::detail
