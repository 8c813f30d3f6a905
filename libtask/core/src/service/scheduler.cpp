// The scheduler's loop, worker pool, step() and metrics (API.md §13).
#include "task/service/scheduler.hpp"

#include <algorithm>
#include <cstdio>

#include "scheduler_internal.hpp"

namespace task {

// --- WorkerPool ----------------------------------------------------------------------------------

WorkerPool::WorkerPool(std::size_t threads, std::size_t queue_limit) {
  queue_limit_ = queue_limit > 0 ? queue_limit : std::max<std::size_t>(threads, 1);
  for (std::size_t i = 0; i < std::max<std::size_t>(threads, 1); ++i)
    threads_.emplace_back([this] { work(); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_)
    t.join();
}

bool WorkerPool::submit(std::function<void()> job) {
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= queue_limit_) return false;
    queue_.push_back(std::move(job));
  }
  wake_.notify_one();
  return true;
}

std::size_t WorkerPool::idle() const {
  std::lock_guard lock(mutex_);
  const auto taken = busy_ + queue_.size();
  return taken >= threads_.size() ? 0 : threads_.size() - taken;
}

void WorkerPool::wait_idle() {
  std::unique_lock lock(mutex_);
  idle_cv_.wait(lock, [&] { return queue_.empty() && busy_ == 0; });
}

void WorkerPool::work() {
  while (true) {
    std::function<void()> job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      job = std::move(queue_.front());
      queue_.pop_front();
      ++busy_;
    }
    try {
      job();
    } catch (...) {
      // jobs report their own failures; a stray exception must not kill the worker
    }
    {
      std::lock_guard lock(mutex_);
      --busy_;
    }
    idle_cv_.notify_all();
  }
}

// --- Scheduler -----------------------------------------------------------------------------------

Scheduler::Scheduler(SchedulerPorts ports, SchedulerOptions options)
    : ports_(std::move(ports)),
      options_(std::move(options)),
      counters_(std::make_unique<Counters>()) {
  if (options_.replica_id.empty()) options_.replica_id = "scheduler-" + ports_.ids->event_id();
  if (options_.batch_size < 1) options_.batch_size = 1;
  if (!ports_.executors) ports_.executors = std::make_shared<ExecutorRegistry>();
}

Scheduler::~Scheduler() {
  stop();
}

Micros Scheduler::timeout_for(TaskType type) const {
  if (const auto it = options_.timeouts.find(type); it != options_.timeouts.end())
    return it->second;
  if (type == TaskType::data_backup) return std::chrono::minutes(5);
  if (type == TaskType::custom) return std::chrono::seconds(65);  // webhook timeout_ms max 60 s
  return options_.default_timeout;
}

void Scheduler::start() {
  if (started_.exchange(true)) return;
  stopping_ = false;
  finisher_stop_ = false;
  const auto workers = std::max<std::size_t>(options_.workers, 1);
  pool_ = std::make_unique<WorkerPool>(workers, workers + queue_capacity());
  finisher_ = std::thread([this] { finisher(); });
  thread_ = std::thread([this] { loop(); });
}

void Scheduler::stop() {
  if (!started_.load()) return;
  stopping_ = true;
  notify();
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (pool_) pool_->wait_idle();  // runs in progress finish; their outcomes are queued
  {
    std::lock_guard lock(finished_mutex_);
    finisher_stop_ = true;
  }
  finished_cv_.notify_all();
  if (finisher_.joinable()) finisher_.join();  // writes what is queued, then ends
  pool_.reset();
  started_ = false;
}

void Scheduler::notify() {
  {
    std::lock_guard lock(mutex_);
    notified_ = true;
  }
  wake_.notify_all();
}

void Scheduler::wait_for(Micros d) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, std::max(d, Micros{0}), [&] { return notified_ || stopping_.load(); });
  notified_ = false;
}

void Scheduler::pause(Micros d) {
  std::unique_lock lock(mutex_);
  stop_cv_.wait_for(lock, std::max(d, Micros{0}), [&] { return stopping_.load(); });
}

std::size_t Scheduler::queue_capacity() const {
  return options_.queue > 0
             ? options_.queue
             : std::max({options_.workers, static_cast<std::size_t>(options_.batch_size),
                         std::size_t{1}});
}

std::size_t Scheduler::queue_limit() const {
  if (options_.queue > 0) return options_.queue;
  // While runs are short, room for a whole claim batch beyond the workers: a burst of due slots
  // (cron on the minute) starts in one round instead of one round per free worker. While they
  // are slow (webhooks to slow targets), only as many as workers wait here, so due work stays
  // in storage for replicas with idle workers instead of queueing behind busy ones.
  return run_micros_ewma_.load() <= kShortRun.count() ? queue_capacity()
                                                      : std::max<std::size_t>(options_.workers, 1);
}

void Scheduler::loop() {
  while (!stopping_) {
    const int max_in_flight =
        static_cast<int>(std::max<std::size_t>(options_.workers, 1) + queue_limit());
    const auto now = ports_.clock->now();
    Micros sleep = options_.max_sleep;
    try {
      if (options_.reminders) fire_reminders(now);
      renew_queued();
      const int limit = std::min(options_.batch_size, max_in_flight - in_flight_.load());
      if (limit > 0) {
        auto lost = claim_lost(now, limit);
        std::size_t locked = 0;
        auto claims = begin(now, limit - static_cast<int>(lost.size()), locked);
        const bool full = lost.size() + locked == static_cast<std::size_t>(limit);
        dispatch(std::move(lost), std::move(claims));
        if (full) continue;  // more may be due
      }
      if (const auto earliest = ports_.repository->earliest_due_time()) {
        // Due but not claimable (leased elsewhere, or every worker busy): look again soon.
        sleep = *earliest <= now
                    ? options_.busy_retry
                    : std::min(sleep,
                               std::chrono::duration_cast<Micros>(*earliest - ports_.clock->now()));
      }
    } catch (const std::exception&) {
      ++counters_->storage_errors;
    }
    wait_for(sleep);
  }
}

void Scheduler::dispatch(std::vector<Task> lost, std::vector<Claim> claims) {
  for (auto& t : lost) {
    ++in_flight_;
    const bool queued = pool_->submit([this, t] {
      try {
        recover(t, ports_.clock->now());
      } catch (const std::exception&) {
        ++counters_->storage_errors;  // the claim lease runs out; another round retries
      }
      --in_flight_;
      notify();
    });
    if (!queued) --in_flight_;
  }
  for (auto& c : claims) {
    ++in_flight_;
    {
      std::lock_guard lock(queued_mutex_);
      queued_[c.task.task_id] = Queued{c.lease_from, c.budget, false};
    }
    // The pool's queue holds every run in flight, so this does not fail; if it did, the run's
    // lease would expire and recovery would close it as lost.
    if (!pool_->submit([this, c]() mutable { run(std::move(c)); })) --in_flight_;
  }
}

void Scheduler::run(Claim claim) {
  std::optional<RunOutcome> outcome;
  bool lost = false;
  {
    std::lock_guard lock(queued_mutex_);
    if (const auto it = queued_.find(claim.task.task_id); it != queued_.end()) {
      lost = it->second.lost;
      claim.lease_from = std::max(claim.lease_from, it->second.lease_from);
      queued_.erase(it);
    }
  }
  if (lost) ++counters_->stale_claims;  // another replica took the run over as lost
  try {
    if (!lost && renew_lease(claim)) {
      ++counters_->active_runs;
      const auto t0 = std::chrono::steady_clock::now();
      outcome = execute(claim);
      const auto took =
          std::chrono::duration_cast<Micros>(std::chrono::steady_clock::now() - t0).count();
      const auto avg = run_micros_ewma_.load();
      run_micros_ewma_.store(avg - avg / 8 + took / 8);  // a rough moving mean is enough
      --counters_->active_runs;
    }
  } catch (const std::exception&) {
    ++counters_->storage_errors;  // renewing failed: the lease expires and recovery closes it
  }
  if (!outcome) {
    --in_flight_;
    notify();
    return;
  }
  {
    std::lock_guard lock(finished_mutex_);
    finished_.push_back(Finished{std::move(claim), std::move(*outcome), std::nullopt});
  }
  finished_cv_.notify_one();
}

void Scheduler::finisher() {
  std::unique_lock lock(finished_mutex_);
  while (true) {
    finished_cv_.wait(lock, [&] { return finisher_stop_ || !finished_.empty(); });
    if (finished_.empty()) return;  // stopping, and everything is written
    std::vector<Finished> batch;
    batch.swap(finished_);
    lock.unlock();
    // Every outcome that finished meanwhile is written in one transaction.
    finish(batch);
    in_flight_ -= static_cast<int>(batch.size());
    notify();  // room for more claims
    lock.lock();
  }
}

StepReport Scheduler::step(Timestamp now) {
  StepReport report;
  if (options_.reminders) report.reminders = fire_reminders(now);
  const auto lost = claim_lost(now, options_.batch_size);
  for (const auto& t : lost) {
    ++report.claimed;
    if (recover(t, now)) ++report.runs;
  }
  std::size_t locked = 0;
  auto claims = begin(now, options_.batch_size - static_cast<int>(lost.size()), locked);
  report.claimed += static_cast<std::int64_t>(locked);
  std::vector<Finished> done;
  for (auto& c : claims) {
    ++counters_->active_runs;
    auto outcome = execute(c);
    --counters_->active_runs;
    done.push_back(Finished{std::move(c), std::move(outcome), std::nullopt});
  }
  report.runs += static_cast<std::int64_t>(done.size());
  finish(done);
  return report;
}

void Scheduler::record_lateness(Micros late) {
  const double seconds = std::chrono::duration<double>(std::max(late, Micros{0})).count();
  std::size_t bucket = 0;
  while (bucket < kLatenessBounds.size() && seconds > kLatenessBounds[bucket])
    ++bucket;
  std::lock_guard lock(counters_->lateness_mutex);
  ++counters_->lateness[bucket];
  counters_->lateness_sum += seconds;
}

SchedulerMetrics Scheduler::metrics() const {
  const auto& c = *counters_;
  SchedulerMetrics m;
  m.rounds = c.rounds;
  m.claimed = c.claimed;
  m.runs_succeeded = c.runs_succeeded;
  m.runs_failed = c.runs_failed;
  m.runs_timed_out = c.runs_timed_out;
  m.retries = c.retries;
  m.duplicate_slots = c.duplicate_slots;
  m.stale_claims = c.stale_claims;
  m.slots_skipped = c.slots_skipped;
  m.leases_expired = c.leases_expired;
  m.reminders_sent = c.reminders_sent;
  m.storage_errors = c.storage_errors;
  m.active_runs = c.active_runs;
  m.lateness_bounds.assign(kLatenessBounds.begin(), kLatenessBounds.end());
  std::lock_guard lock(counters_->lateness_mutex);
  std::int64_t running = 0;
  for (std::size_t i = 0; i < c.lateness.size(); ++i) {
    running += c.lateness[i];
    if (i < kLatenessBounds.size()) m.lateness_cumulative.push_back(running);
  }
  m.lateness_count = running;
  m.lateness_sum_seconds = counters_->lateness_sum;
  return m;
}

std::string to_prometheus(const SchedulerMetrics& m) {
  std::string out;
  auto counter = [&](const char* name, const char* help, std::int64_t v, const char* type) {
    out += std::string("# HELP task_scheduler_") + name + " " + help + "\n# TYPE task_scheduler_" +
           name + " " + type + "\ntask_scheduler_" + name + " " + std::to_string(v) + "\n";
  };
  counter("rounds_total", "Claim rounds done.", m.rounds, "counter");
  counter("claimed_total", "Tasks claimed.", m.claimed, "counter");
  out +=
      "# HELP task_scheduler_runs_total Scheduled runs recorded, by outcome.\n"
      "# TYPE task_scheduler_runs_total counter\n";
  out += "task_scheduler_runs_total{outcome=\"completed\"} " + std::to_string(m.runs_succeeded) +
         "\ntask_scheduler_runs_total{outcome=\"failed\"} " + std::to_string(m.runs_failed) + "\n";
  counter("run_timeouts_total", "Attempts stopped by the per-type timeout.", m.runs_timed_out,
          "counter");
  counter("retries_total", "Extra attempts of a slot.", m.retries, "counter");
  counter("duplicate_slots_total", "Slots found already executed and skipped.", m.duplicate_slots,
          "counter");
  counter("stale_claims_total", "Claims whose task changed before the run.", m.stale_claims,
          "counter");
  counter("skipped_slots_total", "Due slots not run under the misfire policy.", m.slots_skipped,
          "counter");
  counter("expired_leases_total", "Runs recovered after their lease expired.", m.leases_expired,
          "counter");
  counter("reminders_total", "Reminders fired.", m.reminders_sent, "counter");
  counter("storage_errors_total", "Rounds or runs that hit a storage error.", m.storage_errors,
          "counter");
  counter("active_runs", "Runs in progress.", m.active_runs, "gauge");
  out +=
      "# HELP task_scheduler_lateness_seconds Start of a run minus its slot.\n"
      "# TYPE task_scheduler_lateness_seconds histogram\n";
  char buf[64];
  for (std::size_t i = 0; i < m.lateness_bounds.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%g", m.lateness_bounds[i]);
    out += std::string("task_scheduler_lateness_seconds_bucket{le=\"") + buf + "\"} " +
           std::to_string(m.lateness_cumulative[i]) + "\n";
  }
  std::snprintf(buf, sizeof buf, "%.6f", m.lateness_sum_seconds);
  out += "task_scheduler_lateness_seconds_bucket{le=\"+Inf\"} " + std::to_string(m.lateness_count) +
         "\ntask_scheduler_lateness_seconds_sum " + buf +
         "\ntask_scheduler_lateness_seconds_count " + std::to_string(m.lateness_count) + "\n";
  return out;
}

}  // namespace task
