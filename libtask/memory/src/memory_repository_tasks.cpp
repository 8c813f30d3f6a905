// The in-memory repository: tasks and executions (TaskStore), under one mutex.
#include "task/memory/memory_repository.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "memory_lookup.hpp"
#include "task/core/errors.hpp"

namespace task::memory {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool matches(const Task& t, const TaskQuery& q) {
  if (t.deleted_at || t.user_id != q.user_id) return false;
  if (q.status && t.status != *q.status) return false;
  if (q.task_type && t.task_type != *q.task_type) return false;
  if (q.priority && t.priority != *q.priority) return false;
  for (const auto& tag : q.tags)
    if (std::find(t.tags.begin(), t.tags.end(), tag) == t.tags.end()) return false;
  if (q.due_before && !(t.due_date && *t.due_date < *q.due_before)) return false;
  if (q.due_after && !(t.due_date && *t.due_date > *q.due_after)) return false;
  if (q.q && lower(t.name).find(lower(*q.q)) == std::string::npos) return false;
  return true;
}

/// created_at desc, id desc.
bool newer_first(const Task& a, const Task& b) {
  if (a.created_at != b.created_at) return a.created_at > b.created_at;
  return a.id > b.id;
}

bool after_position(const Task& t, const TaskQuery::After& a) {
  return t.created_at < a.created_at || (t.created_at == a.created_at && t.id < a.id);
}

template <class T>
std::vector<T> page_of(std::vector<T> rows, int limit, int offset) {
  const auto off = static_cast<std::size_t>(std::max(offset, 0));
  if (off >= rows.size()) return {};
  rows.erase(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(off));
  if (rows.size() > static_cast<std::size_t>(std::max(limit, 0)))
    rows.resize(static_cast<std::size_t>(std::max(limit, 0)));
  return rows;
}

}  // namespace

void MemoryRepository::append_events(const std::vector<Event>& events) {
  for (const auto& e : events)
    outbox_.push_back({OutboxEntry{++next_seq_, e}, std::nullopt});
}

void MemoryRepository::store_execution(Execution e) {
  auto it = executions_.find(e.execution_id);
  if (it == executions_.end()) {
    e.id = ++next_execution_id_;
    executions_.emplace(e.execution_id, std::move(e));
  } else {
    e.id = it->second.id;
    it->second = std::move(e);
  }
}

Task MemoryRepository::insert_task(const Task& task, const std::vector<Event>& events) {
  std::lock_guard lock(mu_);
  return insert_locked(task, events);
}

Task MemoryRepository::insert_task_within(const Task& task, const std::vector<Event>& events,
                                          std::int64_t max_tasks) {
  std::lock_guard lock(mu_);
  const auto held = std::count_if(tasks_.begin(), tasks_.end(), [&](const auto& kv) {
    return !kv.second.deleted_at && kv.second.user_id == task.user_id;
  });
  if (held >= max_tasks) throw LimitExceeded("tasks", max_tasks);
  return insert_locked(task, events);
}

Task MemoryRepository::insert_locked(const Task& task, const std::vector<Event>& events) {
  if (tasks_.count(task.task_id)) throw Conflict("stored", "duplicate");  // as the SQL store
  Task t = task;
  t.id = ++next_task_id_;
  t.version = 1;
  tasks_.emplace(t.task_id, t);
  append_events(events);
  return t;
}

std::optional<Task> MemoryRepository::find_task(std::string_view task_id) {
  return copy_of(mu_, tasks_, task_id);
}

TaskPage MemoryRepository::list_tasks(const TaskQuery& query) {
  std::lock_guard lock(mu_);
  std::vector<Task> rows;
  for (const auto& [id, t] : tasks_)
    if (matches(t, query)) rows.push_back(t);
  TaskPage page;
  page.total = static_cast<std::int64_t>(rows.size());
  std::sort(rows.begin(), rows.end(), newer_first);
  if (query.after)
    rows.erase(std::remove_if(rows.begin(), rows.end(),
                              [&](const Task& t) { return !after_position(t, *query.after); }),
               rows.end());
  page.tasks = page_of(std::move(rows), query.limit, query.offset);
  return page;
}

std::optional<Change> MemoryRepository::modify_task(
    std::string_view task_id, const std::function<std::optional<Change>(const Task&)>& fn) {
  std::lock_guard lock(mu_);
  if (!tasks_.contains(task_id)) throw NotFound("task", std::string(task_id));
  return std::move(modify_locked({std::string(task_id)}, fn).front());
}

std::vector<std::optional<Change>> MemoryRepository::modify_tasks(
    const std::vector<std::string>& task_ids,
    const std::function<std::optional<Change>(const Task&)>& fn) {
  std::lock_guard lock(mu_);
  return modify_locked(task_ids, fn);
}

std::vector<std::optional<Change>> MemoryRepository::modify_locked(
    const std::vector<std::string>& task_ids,
    const std::function<std::optional<Change>(const Task&)>& fn) {
  std::vector<std::optional<Change>> changes(task_ids.size());
  for (std::size_t i = 0; i < task_ids.size(); ++i)  // fn may throw: nothing is written yet
    if (const auto it = tasks_.find(task_ids[i]); it != tasks_.end()) changes[i] = fn(it->second);
  // Unique (task_id, scheduled_for), as the SQL schema has it: a slot never runs twice.
  std::set<std::pair<std::string, Timestamp>> batch_slots;
  for (const auto& change : changes) {
    if (!change) continue;
    for (const auto& e : change->executions) {
      if (!e.scheduled_for) continue;
      const auto duplicate = [&] {
        throw Conflict("stored", "duplicate: execution slot " + format_rfc3339(*e.scheduled_for));
      };
      if (!batch_slots.emplace(e.task_id, *e.scheduled_for).second) duplicate();
      for (const auto& [id, other] : executions_)
        if (id != e.execution_id && other.task_id == e.task_id &&
            other.scheduled_for == e.scheduled_for)
          duplicate();
    }
  }
  for (std::size_t i = 0; i < task_ids.size(); ++i) {
    auto& change = changes[i];
    if (!change) continue;
    if (change->task) {
      Task& stored = tasks_.find(task_ids[i])->second;
      Task& t = *change->task;
      t.id = stored.id;
      t.task_id = stored.task_id;
      t.version = stored.version + 1;
      stored = t;
    }
    for (const auto& e : change->executions)
      store_execution(e);
    for (auto& e : change->executions)
      e.id = executions_.at(e.execution_id).id;
    completions_.insert(completions_.end(), change->completions.begin(), change->completions.end());
    append_events(change->events);
  }
  return changes;
}

std::optional<Execution> MemoryRepository::find_execution(std::string_view execution_id) {
  return copy_of(mu_, executions_, execution_id);
}

ExecutionPage MemoryRepository::list_executions(std::string_view task_id, int limit, int offset) {
  std::lock_guard lock(mu_);
  std::vector<Execution> rows;
  for (const auto& [id, e] : executions_)
    if (e.task_id == task_id) rows.push_back(e);
  std::sort(rows.begin(), rows.end(), [](const Execution& a, const Execution& b) {
    if (a.started_at != b.started_at) return a.started_at > b.started_at;
    return a.id > b.id;
  });
  ExecutionPage page;
  page.total = static_cast<std::int64_t>(rows.size());
  page.executions = page_of(std::move(rows), limit, offset);
  return page;
}

std::int64_t MemoryRepository::count_executions_since(std::string_view user_id, Timestamp since) {
  std::lock_guard lock(mu_);
  return std::count_if(executions_.begin(), executions_.end(), [&](const auto& kv) {
    return kv.second.user_id == user_id && kv.second.started_at >= since;
  });
}

std::vector<Completion> MemoryRepository::list_completions(std::string_view task_id, int limit) {
  std::lock_guard lock(mu_);
  std::vector<Completion> rows;
  for (auto it = completions_.rbegin(); it != completions_.rend(); ++it)  // later insert first
    if (it->task_id == task_id) rows.push_back(*it);
  std::stable_sort(rows.begin(), rows.end(), [](const Completion& a, const Completion& b) {
    return a.completed_at > b.completed_at;
  });
  if (rows.size() > static_cast<std::size_t>(std::max(limit, 0)))
    rows.resize(static_cast<std::size_t>(std::max(limit, 0)));
  return rows;
}

}  // namespace task::memory
