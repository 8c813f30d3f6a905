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

  // Every role of TaskRepository but StorageHealth, declared once for both adapters.
#include "task/ports/repository_overrides.inc"

  // --- StorageHealth ---
  void ping() override;
  std::int64_t unreadable_rows() const override {
    return unreadable_.load();
  }
  void set_unreadable_row_hook(std::function<void(const Unreadable&)> hook) override {
    hook_ = std::move(hook);
  }

  /// Inserts the built-in templates that are not stored yet.
  void seed_templates(const std::vector<Template>& templates);

 private:
  const Dialect& d() const {
    return db_->dialect();
  }
  std::string t(const char* name) const {
    return d().table(name);
  }
  /// What a read does with a row it cannot decode: a listing or a scheduler round skips it
  /// (counted, reported to the hook); a read of that one row throws task::Unreadable.
  enum class OnUnreadable { skip, fail };
  std::vector<Task> select_tasks(soci::session& s, const std::string& where_and_order, Params& p,
                                 OnUnreadable mode = OnUnreadable::skip);
  /// task_from_row, or nullopt after counting and reporting an undecodable row (skip).
  std::optional<Task> decode_task(const soci::row& r, OnUnreadable mode);
  std::optional<Execution> decode_execution(const soci::row& r, OnUnreadable mode);
  /// Both of them: the row decoded, or the failure counted and reported (skip) or thrown (fail).
  template <class Record>
  std::optional<Record> decode_as(const soci::row& r, OnUnreadable mode);
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
