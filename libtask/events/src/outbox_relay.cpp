#include "task/events/outbox_relay.hpp"

#include <algorithm>
#include <exception>
#include <vector>

namespace task::events {

using std::chrono::milliseconds;

OutboxRelay::OutboxRelay(std::shared_ptr<OutboxStore> outbox, std::shared_ptr<EventSink> sink,
                         std::shared_ptr<const Clock> clock, RelayOptions options, LogFn log)
    : repo_(std::move(outbox)),
      sink_(std::move(sink)),
      batch_sink_(dynamic_cast<BatchEventSink*>(sink_.get())),
      clock_(std::move(clock)),
      options_(options),
      log_(log ? std::move(log) : null_logger()) {
  options_.batch_size = std::max(1, options_.batch_size);
  options_.initial_backoff = std::max(milliseconds(1), options_.initial_backoff);
  options_.max_backoff = std::max(options_.initial_backoff, options_.max_backoff);
}

OutboxRelay::~OutboxRelay() {
  stop();
}

void OutboxRelay::start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  running_ = true;
  thread_ = std::thread([this] { run(); });
}

void OutboxRelay::stop() {
  {
    std::lock_guard lock(mu_);
    if (!thread_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
  running_ = false;
}

void OutboxRelay::notify() {
  {
    std::lock_guard lock(mu_);
    wake_ = true;
  }
  cv_.notify_all();
}

void OutboxRelay::retry_now() {
  {
    std::lock_guard lock(mu_);
    wake_ = true;
    retry_ = true;
  }
  cv_.notify_all();
}

std::size_t OutboxRelay::publish_rows(std::vector<OutboxEntry>& rows) {
  if (batch_sink_) {
    std::vector<Event> events;
    events.reserve(rows.size());
    for (auto& row : rows)
      events.push_back(std::move(row.event));  // rows keep their seq for mark_published
    return std::min(batch_sink_->publish_batch(events), rows.size());
  }
  for (std::size_t i = 0; i < rows.size(); ++i) {
    try {
      sink_->publish(rows[i].event);
    } catch (...) {
      if (i == 0) throw;
      return i;  // the rest is retried after the backoff
    }
  }
  return rows.size();
}

RelayStep OutboxRelay::relay_once() {
  std::lock_guard step_lock(step_mu_);
  RelayStep r;
  try {
    auto rows = repo_->fetch_outbox(options_.batch_size);
    r.fetched = rows.size();
    std::size_t acked = 0;
    std::string sink_error;
    if (!rows.empty()) {
      try {
        acked = publish_rows(rows);
      } catch (const std::exception& e) {
        sink_error = std::string("sink: ") + e.what();
      }
    }
    if (acked > 0) {
      std::vector<std::int64_t> seqs;
      seqs.reserve(acked);
      for (std::size_t i = 0; i < acked; ++i)
        seqs.push_back(rows[i].seq);
      repo_->mark_published(seqs, clock_->now());
      r.published = acked;
      published_total_ += static_cast<std::int64_t>(acked);
    }
    if (acked < rows.size()) {
      r.failed = true;
      r.error = sink_error.empty() ? "sink: acknowledged " + std::to_string(acked) + " of " +
                                         std::to_string(rows.size())
                                   : sink_error;
    }
  } catch (const std::exception& e) {
    r.failed = true;
    r.error = std::string("storage: ") + e.what();
  }

  std::lock_guard lock(mu_);
  if (r.failed) {
    ++failures_total_;
    if (r.error != last_error_)
      log_("warn", "msg=\"outbox relay failed; retrying with backoff\" error=\"" + r.error + "\"");
    last_error_ = r.error;
  } else if (!last_error_.empty()) {
    log_("info", "msg=\"outbox relay recovered\"");
    last_error_.clear();
  }
  return r;
}

std::size_t OutboxRelay::drain() {
  std::size_t total = 0;
  for (;;) {
    const auto step = relay_once();
    total += step.published;
    if (step.failed || step.fetched < static_cast<std::size_t>(options_.batch_size)) return total;
  }
}

std::int64_t OutboxRelay::prune_once() {
  try {
    const auto before = clock_->now() - std::chrono::duration_cast<Micros>(options_.retention);
    return repo_->prune_outbox(before);
  } catch (const std::exception& e) {
    log_("warn", std::string("msg=\"outbox prune failed\" error=\"") + e.what() + "\"");
    return 0;
  }
}

void OutboxRelay::run() {
  auto backoff = options_.initial_backoff;
  auto next_prune = std::chrono::steady_clock::now();
  std::unique_lock lock(mu_);
  while (!stopping_) {
    wake_ = false;
    retry_ = false;
    lock.unlock();
    const auto step = relay_once();
    const auto now = std::chrono::steady_clock::now();
    if (!step.failed && now >= next_prune) {
      prune_once();
      next_prune = now + options_.prune_interval;
    }
    lock.lock();
    if (step.failed) {
      backoff_ms_ = backoff.count();
      cv_.wait_for(lock, backoff, [&] { return stopping_ || retry_; });
      backoff = retry_ ? options_.initial_backoff : std::min(backoff * 2, options_.max_backoff);
      continue;
    }
    backoff = options_.initial_backoff;
    backoff_ms_ = 0;
    if (step.fetched >= static_cast<std::size_t>(options_.batch_size)) continue;  // more waiting
    cv_.wait_for(lock, options_.poll_interval, [&] { return stopping_ || wake_ || retry_; });
  }
}

RelayStatus OutboxRelay::status() const {
  RelayStatus s;
  s.running = running_;
  s.published_total = published_total_;
  s.failures_total = failures_total_;
  s.current_backoff = milliseconds(backoff_ms_.load());
  {
    std::lock_guard lock(mu_);
    s.last_error = last_error_;
  }
  try {
    const auto [count, oldest] = repo_->outbox_backlog();
    s.backlog = count;
    s.oldest_unpublished = oldest;
    if (oldest)
      s.oldest_age = std::max(milliseconds(0),
                              std::chrono::duration_cast<milliseconds>(clock_->now() - *oldest));
  } catch (const std::exception&) {
    s.backlog = -1;
  }
  return s;
}

}  // namespace task::events
