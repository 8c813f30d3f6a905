#pragma once
/// The whole storage port: every role of the core's storage, for the places that open "the
/// storage" and hand its roles out (task::runtime::open_repository, the apps, test fixtures).
/// A consumer takes only the role it uses (docs/core.md, "Storage ports"):
///
///   TaskStore      tasks and executions            TaskService, account events, task-cli
///   SchedulerStore due work (extends TaskStore)    Scheduler; TaskService (pending, lag)
///   OutboxStore    the outbox                      OutboxRelay; stats and /metrics (backlog)
///   CatalogStore   templates                       TaskService (templates)
///   UserStore      stored levels, open tasks       account events; TaskService (levels)
///   StatsStore     counts and totals               TaskService (analytics, stats), dashboard
///   StorageHealth  ping, unreadable rows           task-server (/health, /metrics), runtime
///   ArchiveStore   restore                         task-cli import
///
/// One implementation per backend family implements all of them: `task::memory` (in-process)
/// and `task::store` (SOCI: SQLite, PostgreSQL).
#include "task/ports/archive_store.hpp"
#include "task/ports/catalog_store.hpp"
#include "task/ports/outbox_store.hpp"
#include "task/ports/scheduler_store.hpp"
#include "task/ports/stats_store.hpp"
#include "task/ports/storage_health.hpp"
#include "task/ports/task_store.hpp"
#include "task/ports/user_store.hpp"

namespace task {

/// Every storage role in one interface.
class TaskRepository : public virtual TaskStore,
                       public SchedulerStore,
                       public OutboxStore,
                       public CatalogStore,
                       public UserStore,
                       public StatsStore,
                       public StorageHealth,
                       public ArchiveStore {};

}  // namespace task
