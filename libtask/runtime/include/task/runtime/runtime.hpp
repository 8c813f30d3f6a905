#pragma once
/// The composition root: Config -> a wired TaskService. The only place that picks adapters:
/// storage by URL (`memory:` -> task::memory, `sqlite://` / `postgresql://` -> task::store, with
/// migrations applied and built-in templates seeded), executors (task::clients), the notifier,
/// the subscription directory, the event relay, the scheduler loop, and the one bounded worker
/// pool that runs every execution (manual and scheduled).
/// task-server and task-cli's local mode both build one of these.
///
/// Ownership: a Runtime owns the whole wiring (service, worker pool, event bus, scheduler) and
/// shares the repository, clock and executors through shared_ptr; the references its accessors
/// return (service(), repository(), clock(), workers(), executors(), event_bus(), scheduler())
/// live until the Runtime is destroyed (scheduler() is null after shutdown()). Thread-safety: once
/// constructed, the accessors, after_write and the TaskService they return may be used from any
/// number of threads; shutdown() is idempotent and must not race with the destructor.
#include <memory>
#include <string>

#include "task/ports/clock.hpp"
#include "task/ports/collaborators.hpp"
#include "task/ports/executor.hpp"
#include "task/ports/id_generator.hpp"
#include "task/ports/repository.hpp"
#include "task/runtime/config.hpp"
#include "task/runtime/execution_pruner.hpp"
#include "task/runtime/scheduler_loop.hpp"
#include "task/runtime/worker_pool.hpp"
#include "task/service/scheduler.hpp"
#include "task/service/task_service.hpp"

namespace task::events {
class EventBus;
}

namespace task::runtime {

/// Everything a process needs to serve the API, built from a Config.
class Runtime {
 public:
  /// Opens storage (throws std::runtime_error with a clear message when it cannot), applies
  /// migrations, seeds templates, wires the service. `clock` defaults to the system clock.
  explicit Runtime(Config config, std::shared_ptr<Clock> clock = nullptr);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  const Config& config() const { return config_; }
  TaskService& service() { return *service_; }
  TaskRepository& repository() { return *repository_; }
  const std::shared_ptr<TaskRepository>& repository_ptr() const { return repository_; }
  Clock& clock() { return *clock_; }
  WorkerPool& workers() { return *workers_; }
  ExecutorRegistry& executors() { return *executors_; }

  /// "memory", "sqlite" or "postgresql".
  const std::string& database_kind() const { return database_kind_; }
  /// "nats" (with its URL) or "in-process".
  std::string event_bus_kind() const { return config_.nats_url.empty() ? "in-process" : "nats"; }
  /// Whether the event relay is running in this process.
  bool event_relay_running() const { return events_ != nullptr; }
  /// The event system (outbox relay to NATS or to the in-process bus, account-event
  /// subscriber); null when this process does not relay (task-cli).
  events::EventBus* event_bus() { return events_.get(); }
  /// Call after a committed write: wakes the scheduler (the task may be due before its next
  /// wake) and the event relay (publish now rather than at its next poll).
  void after_write();
  /// Whether a scheduler loop runs in this process.
  bool scheduler_running() const { return scheduler_ && scheduler_->running(); }
  /// The scheduler of this process (metrics, step, run_due for the internal execute endpoint);
  /// it exists even when its loop is off (see scheduler_running); null after shutdown().
  Scheduler* scheduler();
  /// The execution pruner (TASK_EXECUTION_RETENTION_DAYS; its thread runs while the scheduler
  /// loop does, unless retention is 0); null after shutdown().
  ExecutionPruner* pruner() { return pruner_.get(); }
  /// Starts / stops the scheduler loop (and the execution pruner with it) on the runtime's
  /// worker pool (idempotent; `--scheduler on` starts it at construction).
  void start_scheduler();
  void stop_scheduler();

  /// Stops background work (relay), then drains the worker pool. Idempotent.
  void shutdown();

 private:
  void make_scheduler(const RunTimeouts& timeouts);
  Config config_;
  std::shared_ptr<Clock> clock_;
  std::shared_ptr<IdGenerator> ids_;
  std::shared_ptr<TaskRepository> repository_;
  std::shared_ptr<ExecutorRegistry> executors_;
  std::shared_ptr<Notifier> notifier_;
  std::shared_ptr<SubscriptionDirectory> subscriptions_;
  std::unique_ptr<TaskService> service_;
  std::unique_ptr<WorkerPool> workers_;       ///< the one pool: manual and scheduled runs
  std::unique_ptr<events::EventBus> events_;  ///< event relay, when this process relays
  std::unique_ptr<SchedulerLoop> scheduler_;  ///< its loop started when the scheduler is on
  std::unique_ptr<ExecutionPruner> pruner_;   ///< runs beside the scheduler loop
  std::string database_kind_;
};

/// Opens the repository a database URL names; `kind` receives "memory", "sqlite" or
/// "postgresql". Throws std::runtime_error for an unknown scheme or a backend not built in.
std::shared_ptr<TaskRepository> open_repository(const Config& config, std::string& kind);

/// The executor registry of a configuration: todo family -> notify executor, custom -> webhook
/// executor; types whose provider is not configured have no executor (their runs fail with
/// PROVIDER_NOT_CONFIGURED).
std::shared_ptr<ExecutorRegistry> make_executors(const Config& config,
                                                 std::shared_ptr<Notifier> notifier);

}  // namespace task::runtime
