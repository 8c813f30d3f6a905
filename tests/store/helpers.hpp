#pragma once
/// Builders for conformance tests.
#include <cstdio>
#include <string>
#include <vector>

#include "task/domain/model.hpp"
#include "task/ports/task_store.hpp"

namespace task::test {

/// 2026-01-01T00:00:00Z plus `us` microseconds.
inline Timestamp at(std::int64_t us) {
  return from_unix_micros(1767225600000000LL + us);
}
inline constexpr std::int64_t kSec = 1000000;

/// Non-deleted tasks of `user`: the total of a listing (what the task quota counts).
inline std::int64_t count_user_tasks(TaskStore& store, const std::string& user) {
  TaskQuery q;
  q.user_id = user;
  q.limit = 0;
  return store.list_tasks(q).total;
}

/// `prefix` + 24 hex digits from `n`.
inline std::string make_id(const char* prefix, std::int64_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s%024llx", prefix, static_cast<unsigned long long>(n));
  return buf;
}

/// A todo task of `user` created at `at(created_us)`.
inline Task make_task(const std::string& user, std::int64_t n, std::int64_t created_us = 0) {
  Task t;
  t.task_id = make_id("tsk_", n);
  t.user_id = user;
  t.name = "task " + std::to_string(n);
  t.created_at = at(created_us);
  t.updated_at = t.created_at;
  return t;
}

/// A due scheduled task.
inline Task make_scheduled(const std::string& user, std::int64_t n, std::int64_t next_us,
                           Priority p = Priority::medium) {
  Task t = make_task(user, n);
  t.task_type = TaskType::custom;
  t.status = TaskStatus::scheduled;
  t.priority = p;
  t.next_run_time = at(next_us);
  return t;
}

/// A scheduled task whose run `owner` holds a lease on until `lease_us`.
inline Task make_running(const std::string& user, std::int64_t n, const std::string& owner,
                         std::int64_t lease_us) {
  Task t = make_scheduled(user, n, 0);
  t.status = TaskStatus::running;
  t.lease_owner = owner;
  t.lease_expires_at = at(lease_us);
  return t;
}

inline Execution make_execution(const Task& t, std::int64_t n, std::int64_t started_us) {
  Execution e;
  e.execution_id = make_id("exe_", n);
  e.task_id = t.task_id;
  e.user_id = t.user_id;
  e.started_at = at(started_us);
  e.created_at = e.started_at;
  return e;
}

/// Stores executions through modify_task (the only write path for executions).
inline void add_executions(TaskStore& r, const Task& t, const std::vector<Execution>& es) {
  r.modify_task(t.task_id, [&](const Task&) -> std::optional<Change> {
    Change c;
    c.executions = es;
    return c;
  });
}

inline Event make_event(const Task& t, const std::string& type, std::int64_t n,
                        std::int64_t time_us = 0) {
  Event e;
  e.id = "evt-" + std::to_string(n);
  e.type = type;
  e.time = at(time_us);
  e.task_id = t.task_id;
  e.user_id = t.user_id;
  e.data = {{"task_id", t.task_id}, {"n", n}};
  return e;
}

/// True when `rows` are newest first by `time` (`&Task::created_at`, `&Execution::started_at`),
/// ties by row id, descending: the order of the store's listings.
template <class Row, class Time>
bool newest_first(const std::vector<Row>& rows, Time Row::*time) {
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto& a = rows[i - 1];
    const auto& b = rows[i];
    if (!(a.*time > b.*time || (a.*time == b.*time && a.id > b.id))) return false;
  }
  return true;
}

}  // namespace task::test
