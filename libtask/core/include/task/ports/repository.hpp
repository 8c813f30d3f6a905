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
///   IdempotencyStore Idempotency-Key records       task-server (the four keyed POSTs)
///   RetentionStore execution history pruning       the scheduler's pruner (task::runtime)
///
/// One implementation per backend family implements all of them: `task::memory` (in-process)
/// and `task::store` (SOCI: SQLite, PostgreSQL).
///
/// Ownership: the storage object is shared (std::shared_ptr) by the service, the scheduler and
/// the event relay; every result is a copy the caller owns (no reference into storage escapes a
/// call); string_view and reference arguments are read during the call only.
/// Thread-safety: every method may be called from any number of threads at once (task::memory:
/// one mutex, so a callback must not call back into the repository; task::store: a pooled
/// connection per call). Set `set_unreadable_row_hook` before sharing the object.
#include "task/ports/archive_store.hpp"
#include "task/ports/catalog_store.hpp"
#include "task/ports/idempotency_store.hpp"
#include "task/ports/outbox_store.hpp"
#include "task/ports/retention_store.hpp"
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
                       public ArchiveStore,
                       public IdempotencyStore,
                       public RetentionStore {};

}  // namespace task
