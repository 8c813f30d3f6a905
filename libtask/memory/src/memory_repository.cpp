// The in-memory repository: tasks, executions, templates, users and the outbox under one mutex.
#include "task/memory/memory_repository.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <stdexcept>

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

void MemoryRepository::restore(const Task& task, const std::vector<Execution>& executions) {
  if (task.id <= 0) throw std::invalid_argument("restore: task row id must be positive");
  for (const auto& x : executions)
    if (x.id <= 0 || x.task_id != task.task_id)
      throw std::invalid_argument("restore: execution " + x.execution_id +
                                  " needs a positive row id and task " + task.task_id);
  std::lock_guard lock(mu_);
  // Every check before the first write, so that a Conflict writes nothing (as a rollback).
  if (tasks_.count(task.task_id)) throw Conflict("stored", "duplicate");
  for (const auto& [key, t] : tasks_)
    if (t.id == task.id) throw Conflict("stored", "duplicate: task row id");
  std::set<std::int64_t> row_ids;
  std::set<std::string, std::less<>> execution_ids;
  std::set<std::pair<std::string, Timestamp>> slots;
  for (const auto& [key, x] : executions_) {
    row_ids.insert(x.id);
    execution_ids.insert(x.execution_id);
    if (x.scheduled_for) slots.emplace(x.task_id, *x.scheduled_for);
  }
  for (const auto& x : executions) {
    if (!row_ids.insert(x.id).second || !execution_ids.insert(x.execution_id).second ||
        (x.scheduled_for && !slots.emplace(x.task_id, *x.scheduled_for).second))
      throw Conflict("stored", "duplicate: execution " + x.execution_id);
  }
  tasks_.emplace(task.task_id, task);
  next_task_id_ = std::max(next_task_id_, task.id);
  for (const auto& x : executions) {
    executions_.emplace(x.execution_id, x);
    next_execution_id_ = std::max(next_execution_id_, x.id);
  }
}

std::optional<Task> MemoryRepository::find_task(std::string_view task_id) {
  std::lock_guard lock(mu_);
  const auto it = tasks_.find(task_id);
  if (it == tasks_.end()) return std::nullopt;
  return it->second;
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

std::int64_t MemoryRepository::count_tasks(std::string_view user_id) {
  std::lock_guard lock(mu_);
  return std::count_if(tasks_.begin(), tasks_.end(), [&](const auto& kv) {
    return !kv.second.deleted_at && kv.second.user_id == user_id;
  });
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
    append_events(change->events);
  }
  return changes;
}

std::optional<Execution> MemoryRepository::find_execution(std::string_view execution_id) {
  std::lock_guard lock(mu_);
  const auto it = executions_.find(execution_id);
  if (it == executions_.end()) return std::nullopt;
  return it->second;
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

std::vector<Template> MemoryRepository::list_templates(const TemplateQuery& query) {
  std::lock_guard lock(mu_);
  std::vector<Template> out;
  for (const auto& [id, t] : templates_) {
    if (query.active_only && !t.is_active) continue;
    if (query.category && t.category != *query.category) continue;
    if (query.task_type && t.task_type != *query.task_type) continue;
    if (query.max_level && !level_at_least(*query.max_level, t.required_subscription_level))
      continue;
    out.push_back(t);
  }
  std::sort(out.begin(), out.end(), [](const Template& a, const Template& b) {
    const auto ca = to_string(a.category), cb = to_string(b.category);
    if (ca != cb) return ca < cb;
    if (a.name != b.name) return a.name < b.name;
    return a.template_id < b.template_id;
  });
  return out;
}

std::optional<Template> MemoryRepository::find_template(std::string_view template_id) {
  std::lock_guard lock(mu_);
  const auto it = templates_.find(template_id);
  if (it == templates_.end()) return std::nullopt;
  return it->second;
}

Template MemoryRepository::upsert_template(const Template& tmpl) {
  std::lock_guard lock(mu_);
  Template t = tmpl;
  const auto it = templates_.find(t.template_id);
  t.id = it == templates_.end() ? ++next_template_id_ : it->second.id;
  templates_[t.template_id] = t;
  return t;
}

}  // namespace task::memory
