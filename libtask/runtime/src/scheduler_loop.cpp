// The scheduler's loop, finisher and queue of started runs (docs/scheduler.md): the threads
// around task::Scheduler's decisions.
#include "task/runtime/scheduler_loop.hpp"

#include <algorithm>
#include <set>

namespace task::runtime {

SchedulerLoop::SchedulerLoop(SchedulerPorts ports, SchedulerOptions options, WorkerPool& pool,
                             SchedulerLoopOptions loop)
    : repository_(ports.repository), clock_(ports.clock), pool_(pool), options_(loop) {
  if (!ports.sleep) ports.sleep = [this](Micros d) { pause(d); };
  scheduler_ = std::make_unique<Scheduler>(std::move(ports), std::move(options));
}

SchedulerLoop::~SchedulerLoop() {
  stop();
}

void SchedulerLoop::start() {
  if (started_.exchange(true)) return;
  stopping_ = false;
  scheduler_->set_retries_cancelled(false);
  {
    std::lock_guard lock(finished_mutex_);
    finisher_stop_ = false;
  }
  finisher_ = std::thread([this] { finisher(); });
  thread_ = std::thread([this] { loop(); });
}

void SchedulerLoop::stop() {
  if (!started_.load()) return;
  stopping_ = true;
  scheduler_->set_retries_cancelled(true);
  notify();
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  {
    // Runs in progress finish; the finisher writes their outcomes.
    std::unique_lock lock(mutex_);
    idle_cv_.wait(lock, [&] { return in_flight_ == 0; });
  }
  {
    std::lock_guard lock(finished_mutex_);
    finisher_stop_ = true;
  }
  finished_cv_.notify_all();
  if (finisher_.joinable()) finisher_.join();
  started_ = false;
}

void SchedulerLoop::notify() {
  {
    std::lock_guard lock(mutex_);
    notified_ = true;
  }
  wake_.notify_all();
}

void SchedulerLoop::done_in_flight(int n) {
  {
    std::lock_guard lock(mutex_);
    in_flight_ -= n;
    notified_ = true;  // room for more claims
  }
  wake_.notify_all();
  idle_cv_.notify_all();
}

void SchedulerLoop::wait_for(Micros d) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, std::max(d, Micros{0}), [&] { return notified_ || stopping_.load(); });
  notified_ = false;
}

void SchedulerLoop::pause(Micros d) {
  std::unique_lock lock(mutex_);
  stop_cv_.wait_for(lock, std::max(d, Micros{0}), [&] { return stopping_.load(); });
}

std::size_t SchedulerLoop::queue_capacity() const {
  // Two batches: the loop claims and starts the next batch while the finisher is still writing
  // the outcomes of the last one (their runs count as in flight until it has).
  return options_.queue > 0
             ? options_.queue
             : std::max({options_.workers,
                         2 * static_cast<std::size_t>(scheduler_->options().batch_size),
                         std::size_t{1}});
}

std::size_t SchedulerLoop::queue_limit() const {
  if (options_.queue > 0) return options_.queue;
  // While runs are short, room for a whole claim batch beyond the workers: a burst of due slots
  // (cron on the minute) starts in one round instead of one round per free worker. While they
  // are slow (webhooks to slow targets), only as many as workers wait here, so due work stays
  // in storage for replicas with idle workers instead of queueing behind busy ones.
  return run_micros_ewma_.load() <= kShortRun.count() ? queue_capacity()
                                                      : std::max<std::size_t>(options_.workers, 1);
}

void SchedulerLoop::loop() {
  auto& core = *scheduler_;
  while (!stopping_) {
    const int max_in_flight =
        static_cast<int>(std::max<std::size_t>(options_.workers, 1) + queue_limit());
    const auto now = clock_->now();
    Micros sleep = options_.max_sleep;
    int admitted = 0;
    try {
      if (core.options().reminders) core.fire_reminders(now);
      renew_queued();
      int in_flight = 0;
      {
        std::lock_guard lock(mutex_);
        in_flight = in_flight_;
      }
      const int limit = std::min(core.options().batch_size, max_in_flight - in_flight);
      // Every run claimed has a place in the pool (shared with manual runs) before it starts.
      while (admitted < limit && pool_.try_admit())
        ++admitted;
      if (admitted > 0) {
        auto lost = core.claim_lost(now, admitted);
        std::size_t locked = 0;
        auto runs = core.start_due(now, admitted - static_cast<int>(lost.size()), locked);
        const bool full = lost.size() + locked == static_cast<std::size_t>(admitted);
        const int used = static_cast<int>(lost.size() + runs.size());
        for (; admitted > used; --admitted)
          pool_.cancel_admission();
        admitted = 0;  // handed to dispatch
        dispatch(std::move(lost), std::move(runs));
        if (full) continue;  // more may be due
      }
      if (const auto earliest = repository_->earliest_due_time()) {
        // Due but not claimable (leased elsewhere, or every worker busy): look again soon.
        sleep =
            *earliest <= now
                ? options_.busy_retry
                : std::min(sleep, std::chrono::duration_cast<Micros>(*earliest - clock_->now()));
      }
    } catch (const std::exception&) {
      core.count_storage_error();
    }
    for (; admitted > 0; --admitted)
      pool_.cancel_admission();
    wait_for(sleep);
  }
}

void SchedulerLoop::dispatch(std::vector<Task> lost, std::vector<ScheduledRun> runs) {
  {
    std::lock_guard lock(mutex_);
    in_flight_ += static_cast<int>(lost.size() + runs.size());
  }
  for (auto& t : lost)
    pool_.submit_admitted([this, t] {
      try {
        scheduler_->recover(t, clock_->now());
      } catch (const std::exception&) {
        scheduler_->count_storage_error();  // the claim lease runs out; another round retries
      }
      done_in_flight(1);
    });
  for (auto& r : runs) {
    {
      std::lock_guard lock(queued_mutex_);
      queued_[r.task.task_id] = Queued{r.lease_from, r.budget, false};
    }
    pool_.submit_admitted([this, r]() mutable { run(std::move(r)); });
  }
}

void SchedulerLoop::run(ScheduledRun r) {
  auto& core = *scheduler_;
  std::optional<RunOutcome> outcome;
  bool lost = false;
  {
    std::lock_guard lock(queued_mutex_);
    if (const auto it = queued_.find(r.task.task_id); it != queued_.end()) {
      lost = it->second.lost;
      r.lease_from = std::max(r.lease_from, it->second.lease_from);
      queued_.erase(it);
    }
  }
  if (lost) core.count_stale_claim();  // another replica took the run over as lost
  try {
    if (!lost && core.renew_lease(r)) {
      const auto t0 = std::chrono::steady_clock::now();
      outcome = core.execute(r);
      const auto took =
          std::chrono::duration_cast<Micros>(std::chrono::steady_clock::now() - t0).count();
      const auto avg = run_micros_ewma_.load();
      run_micros_ewma_.store(avg - avg / 8 + took / 8);  // a rough moving mean is enough
    }
  } catch (const std::exception&) {
    core.count_storage_error();  // renewing failed: the lease expires and recovery closes it
  }
  if (!outcome) {
    done_in_flight(1);
    return;
  }
  {
    std::lock_guard lock(finished_mutex_);
    finished_.push_back(ScheduledOutcome{std::move(r), std::move(*outcome), std::nullopt});
  }
  finished_cv_.notify_one();
}

void SchedulerLoop::finisher() {
  std::unique_lock lock(finished_mutex_);
  while (true) {
    finished_cv_.wait(lock, [&] { return finisher_stop_ || !finished_.empty(); });
    if (finished_.empty()) return;  // stopping, and everything is written
    std::vector<ScheduledOutcome> batch;
    batch.swap(finished_);
    lock.unlock();
    // Every outcome that finished meanwhile is written in one transaction.
    scheduler_->finish(batch);
    done_in_flight(static_cast<int>(batch.size()));
    lock.lock();
  }
}

void SchedulerLoop::renew_queued() {
  const auto now = clock_->now();
  const auto half_margin = scheduler_->options().lease_margin / 2;
  std::vector<LeaseRenewal> due;
  {
    std::lock_guard lock(queued_mutex_);
    for (const auto& [id, q] : queued_)
      if (!q.lost && now - q.lease_from > half_margin) due.push_back(LeaseRenewal{id, q.budget});
  }
  if (due.empty()) return;
  // Runs still waiting for a worker keep their leases: one transaction renews them all.
  const auto kept_ids = scheduler_->renew_leases(due);
  const std::set<std::string, std::less<>> kept(kept_ids.begin(), kept_ids.end());
  std::lock_guard lock(queued_mutex_);
  for (const auto& d : due) {
    const auto it = queued_.find(d.task_id);
    if (it == queued_.end()) continue;  // a worker took it meanwhile
    if (kept.contains(d.task_id))
      it->second.lease_from = now;
    else
      it->second.lost = true;
  }
}

}  // namespace task::runtime
