#include "task/events/account_subscriber.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <thread>

#include "nats_connection.hpp"
#include "stop_worker.hpp"
#include "task/core/errors.hpp"
#include "task/service/account_events.hpp"

namespace task::events {

/// One subscribed subject: its nats.c subscription and the closure its callback receives.
struct SubjectSlot {
  AccountEventSubscriber::Impl* owner = nullptr;
  std::string subject;
  std::string durable_name;
  std::vector<natsSubscription*> subs;
  std::vector<std::string> streams;  // "stream:filter" of each durable consumer
  std::atomic<bool> durable{false};
  std::atomic<bool> active{false};
};

namespace {
std::vector<std::string_view> tokens(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    const auto dot = s.find('.', start);
    out.push_back(s.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) return out;
    start = dot + 1;
  }
}
}  // namespace

std::optional<std::string> subject_intersection(std::string_view a, std::string_view b) {
  const auto ta = tokens(a);
  const auto tb = tokens(b);
  std::string out;
  auto append = [&](std::string_view t) {
    if (!out.empty()) out += '.';
    out += t;
  };
  std::size_t i = 0;
  for (; i < ta.size() && i < tb.size(); ++i) {
    const auto x = ta[i];
    const auto y = tb[i];
    if (x == ">" || y == ">") {
      // `>` matches one or more tokens: the rest of the other pattern (or `>` itself).
      const auto& other = x == ">" ? tb : ta;
      if (x == ">" && y == ">") {
        append(">");
      } else {
        for (std::size_t j = i; j < other.size(); ++j)
          append(other[j]);
      }
      return out;
    }
    if (x == "*")
      append(y);
    else if (y == "*" || x == y)
      append(x);
    else
      return std::nullopt;
  }
  if (i != ta.size() || i != tb.size()) return std::nullopt;
  return out;
}

struct AccountEventSubscriber::Impl {
  NatsOptions nats;
  SubscriberOptions options;
  std::shared_ptr<UserStore> users;
  std::shared_ptr<TaskStore> tasks;
  std::shared_ptr<const Clock> clock;
  std::shared_ptr<IdGenerator> ids;
  std::function<void()> after_change;
  LogFn log;
  std::array<SubjectSlot, 2> slots;
  std::atomic<std::int64_t> handled{0}, malformed{0}, failed{0};
  mutable std::mutex mu;
  mutable std::condition_variable cv;
  bool stopping = false;
  std::size_t subscribed = 0;  // guarded by mu
  jsCtx* js = nullptr;
  std::unique_ptr<detail::NatsConnection> conn;
  std::thread worker;

  static void on_message(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
    auto* slot = static_cast<SubjectSlot*>(closure);
    slot->owner->handle(*slot, msg);
    natsMsg_Destroy(msg);
  }

  void handle(const SubjectSlot& slot, natsMsg* msg) {
    const std::string subject = natsMsg_GetSubject(msg);
    const std::string_view body(natsMsg_GetData(msg),
                                static_cast<std::size_t>(natsMsg_GetDataLength(msg)));
    const bool ackable = slot.durable;
    try {
      const auto out = handle_account_message(*users, *tasks, *clock, *ids, subject, body);
      using R = AccountEventOutcome::Result;
      if (out.result == R::malformed) {
        ++malformed;
        log("warn", "msg=\"malformed account event dropped\" subject=" + subject + " reason=\"" +
                        out.detail + "\"");
      } else if (out.result == R::handled) {
        ++handled;
        log("info", "msg=\"account event handled\" subject=" + subject + " user_id=\"" +
                        out.user_id +
                        "\" cancelled=" + std::to_string(out.cancelled_task_ids.size()) +
                        (out.level ? " level=" + std::string(to_string(*out.level)) : ""));
        if (after_change) after_change();
      }
      if (ackable) natsMsg_Ack(msg, nullptr);
    } catch (const Unavailable& e) {
      ++failed;
      log("warn", "msg=\"account event not applied; storage unavailable\" subject=" + subject +
                      " error=\"" + e.what() + "\"");
      if (ackable) natsMsg_NakWithDelay(msg, options.retry_delay.count(), nullptr);
    } catch (const std::exception& e) {
      ++malformed;
      log("error", "msg=\"account event failed; dropped\" subject=" + subject + " error=\"" +
                       e.what() + "\"");
      if (ackable) natsMsg_Ack(msg, nullptr);
    }
  }

  /// (stream, filter) pairs: the intersections of the slot's subject with each stream.
  std::vector<std::pair<std::string, std::string>> capturing_streams(const SubjectSlot& slot) {
    std::vector<std::pair<std::string, std::string>> out;
    jsStreamInfoList* list = nullptr;
    if (js_Streams(&list, js, nullptr, nullptr) != NATS_OK || !list) return out;
    for (int i = 0; i < list->Count; ++i) {
      const jsStreamConfig* cfg = list->List[i]->Config;
      if (!cfg || !cfg->Name) continue;
      const std::string name = cfg->Name;
      if (!options.stream.empty() && name != options.stream) continue;
      if (std::find(options.exclude_streams.begin(), options.exclude_streams.end(), name) !=
          options.exclude_streams.end())
        continue;
      for (int j = 0; j < cfg->SubjectsLen; ++j)
        if (auto filter = subject_intersection(slot.subject, cfg->Subjects[j]))
          out.emplace_back(name, *filter);
    }
    jsStreamInfoList_Destroy(list);
    return out;
  }

  /// Durable consumers for the slot on every stream that captures its subject; false when none
  /// could be made (no JetStream, no such stream).
  bool subscribe_durable(SubjectSlot& slot) {
    if (!js && natsConnection_JetStream(&js, conn->get(), nullptr) != NATS_OK) return false;
    const auto targets = capturing_streams(slot);
    std::map<std::string, int> per_stream;
    for (const auto& [stream, filter] : targets) {
      // Consumer names are per stream; a second filter on the same stream gets a suffix.
      const int n = per_stream[stream]++;
      const std::string durable =
          n == 0 ? slot.durable_name : slot.durable_name + "_" + std::to_string(n);
      jsSubOptions so;
      jsSubOptions_Init(&so);
      so.Stream = stream.c_str();
      so.Queue = durable.c_str();
      so.ManualAck = true;
      so.Config.Durable = durable.c_str();
      so.Config.AckPolicy = js_AckExplicit;
      so.Config.DeliverPolicy = js_DeliverAll;
      so.Config.AckWait = std::chrono::nanoseconds(options.ack_wait).count();
      jsErrCode jerr = static_cast<jsErrCode>(0);
      natsSubscription* sub = nullptr;
      const natsStatus s =
          js_Subscribe(&sub, js, filter.c_str(), &Impl::on_message, &slot, nullptr, &so, &jerr);
      if (s != NATS_OK) {
        log("warn", "msg=\"durable consumer failed\" stream=" + stream + " filter=" + filter +
                        " error=\"" + detail::nats_error(s) + "\"");
        continue;
      }
      slot.subs.push_back(sub);
      slot.streams.push_back(stream + ":" + filter);
    }
    if (slot.subs.empty())
      log("info", "msg=\"no stream captures the subject; using a core subscription\" subject=" +
                      slot.subject);
    return !slot.subs.empty();
  }

  bool subscribe(SubjectSlot& slot) {
    if (options.use_jetstream && subscribe_durable(slot)) {
      slot.durable = true;
    } else {
      natsSubscription* sub = nullptr;
      const natsStatus s = natsConnection_QueueSubscribe(
          &sub, conn->get(), slot.subject.c_str(), options.queue.c_str(), &Impl::on_message, &slot);
      if (s != NATS_OK) {
        log("warn", "msg=\"subscribe failed; retrying\" subject=" + slot.subject + " error=\"" +
                        detail::nats_error(s) + "\"");
        return false;
      }
      slot.durable = false;
      slot.subs.push_back(sub);
    }
    for (auto* sub : slot.subs)
      natsSubscription_SetPendingLimits(sub, -1, -1);
    log("info", "msg=\"subscribed\" subject=" + slot.subject +
                    (slot.durable ? " durable=" + slot.durable_name +
                                        " consumers=" + std::to_string(slot.subs.size())
                                  : " durable=none"));
    return true;
  }

  /// Subscribes every slot once connected; nats.c restores them after reconnects.
  void run() {
    std::unique_lock lock(mu);
    while (!stopping && subscribed < slots.size()) {
      lock.unlock();
      if (conn->connected())
        for (auto& slot : slots)
          if (!slot.active && subscribe(slot)) {
            slot.active = true;
            std::lock_guard l(mu);
            ++subscribed;
          }
      lock.lock();
      cv.notify_all();
      if (subscribed < slots.size())
        cv.wait_for(lock, std::chrono::milliseconds(200), [&] { return stopping; });
    }
  }
};

AccountEventSubscriber::AccountEventSubscriber(NatsOptions nats, SubscriberOptions options,
                                               std::shared_ptr<UserStore> users,
                                               std::shared_ptr<TaskStore> tasks,
                                               std::shared_ptr<const Clock> clock,
                                               std::shared_ptr<IdGenerator> ids,
                                               std::function<void()> after_change, LogFn log)
    : impl_(std::make_unique<Impl>()) {
  auto& m = *impl_;
  m.nats = std::move(nats);
  m.nats.name += "-subscriber";
  m.options = std::move(options);
  m.users = std::move(users);
  m.tasks = std::move(tasks);
  m.clock = std::move(clock);
  m.ids = std::move(ids);
  m.after_change = std::move(after_change);
  m.log = log ? std::move(log) : null_logger();
  const std::array<std::pair<std::string_view, const char*>, 2> subjects{
      {{kUserDeletedSubject, "_user_deleted"},
       {kSubscriptionChangedSubject, "_subscription_changed"}}};
  for (std::size_t i = 0; i < subjects.size(); ++i) {
    m.slots[i].owner = impl_.get();
    m.slots[i].subject = std::string(subjects[i].first);
    m.slots[i].durable_name = m.options.durable_prefix + subjects[i].second;
  }
  m.conn = std::make_unique<detail::NatsConnection>(m.nats, m.log, "subscriber");
  m.conn->set_on_connected([impl = impl_.get()] { impl->cv.notify_all(); });
  m.worker = std::thread([impl = impl_.get()] { impl->run(); });
}

AccountEventSubscriber::~AccountEventSubscriber() {
  auto& m = *impl_;
  detail::stop_worker(m, m.worker);
  // Unsubscribing a core subscription is enough; durable consumers stay on the server so
  // messages published while this process is down are delivered on the next start.
  for (auto& slot : m.slots) {
    for (auto* sub : slot.subs) {
      if (!slot.durable) natsSubscription_Unsubscribe(sub);
      natsSubscription_Destroy(sub);
    }
    slot.subs.clear();
  }
  m.conn.reset();
  if (m.js) jsCtx_Destroy(m.js);
}

bool AccountEventSubscriber::wait_subscribed(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(impl_->mu);
  return impl_->cv.wait_for(lock, timeout,
                            [&] { return impl_->subscribed == impl_->slots.size(); });
}

SubscriberStatus AccountEventSubscriber::status() const {
  SubscriberStatus s;
  s.connected = impl_->conn->connected();
  for (const auto& slot : impl_->slots)
    s.subjects.push_back({slot.subject, slot.active.load(), slot.durable.load(),
                          slot.durable ? slot.durable_name : std::string(),
                          slot.active ? slot.streams : std::vector<std::string>{}});
  s.handled = impl_->handled;
  s.malformed = impl_->malformed;
  s.failed = impl_->failed;
  return s;
}

}  // namespace task::events
