#include "task/events/nats_sink.hpp"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <mutex>
#include <unordered_map>

#include "nats_connection.hpp"
#include "task/codec/json_codec.hpp"
#include "task/core/errors.hpp"

namespace task::events {

std::string event_body(const Event& e) {
  // Same text as to_json_text(to_cloudevent(e)) (same keys, same order), without building and
  // copying the envelope object: this runs once per relayed event.
  std::string out;
  out.reserve(256);
  out += R"({"specversion":"1.0","id":)";
  out += boost::json::serialize(boost::json::string_view(e.id));
  out += R"(,"source":"task_service","type":)";
  out += boost::json::serialize(boost::json::string_view(e.type));
  out += R"(,"time":")";
  out += format_rfc3339(e.time);
  out += R"(","datacontenttype":"application/json","subject":)";
  out += boost::json::serialize(boost::json::string_view(e.task_id));
  if (!e.traceparent.empty()) {  // CloudEvents distributed-tracing extension
    out += R"(,"traceparent":)";
    out += boost::json::serialize(boost::json::string_view(e.traceparent));
  }
  if (!e.tracestate.empty()) {
    out += R"(,"tracestate":)";
    out += boost::json::serialize(boost::json::string_view(e.tracestate));
  }
  out += R"(,"data":)";
  out += to_json_text(e.data);
  out += '}';
  return out;
}

/// Connection, JetStream context and the acknowledgements of the batch in flight.
struct NatsEventSink::Impl {
  enum class Mode { unknown, core, jetstream };

  NatsOptions options;
  LogFn log;
  detail::NatsConnection conn;
  jsCtx* js = nullptr;
  std::mutex batch_mu;        // one batch at a time
  Mode mode = Mode::unknown;  // guarded by batch_mu
  std::atomic<bool> jetstream{false};
  std::atomic<std::int64_t> published{0};
  mutable std::mutex acks_mu;
  std::unordered_map<std::string, std::size_t> in_flight;  // msg id -> index in the batch
  std::vector<char> acked;
  std::string ack_error;
  std::string last_error;  // guarded by acks_mu

  Impl(NatsOptions o, LogFn l)
      : options(std::move(o)), log(l ? l : null_logger()), conn(options, log, "publisher") {}

  ~Impl() {
    if (js) jsCtx_Destroy(js);
  }

  static void ack_handler(jsCtx*, natsMsg* msg, jsPubAck* pa, jsPubAckErr* pae, void* closure) {
    auto* self = static_cast<Impl*>(closure);
    const char* id = nullptr;
    natsMsgHeader_Get(msg, "Nats-Msg-Id", &id);
    {
      std::lock_guard lock(self->acks_mu);
      auto it = id ? self->in_flight.find(id) : self->in_flight.end();
      if (it != self->in_flight.end()) {
        if (pa) self->acked[it->second] = 1;
        if (pae && self->ack_error.empty())
          self->ack_error = std::string("jetstream ack: ") + natsStatus_GetText(pae->Err) +
                            (pae->ErrText ? std::string(": ") + pae->ErrText : std::string());
      }
    }
    natsMsg_Destroy(msg);
  }

  void fail(const std::string& error) {
    {
      std::lock_guard lock(acks_mu);
      last_error = error;
    }
    throw Unavailable(error);
  }

  void create_context() {
    if (js) return;
    jsOptions o;
    jsOptions_Init(&o);
    o.Wait = options.ack_timeout.count();
    o.PublishAsync.MaxPending = options.max_pending;
    o.PublishAsync.AckHandler = &Impl::ack_handler;
    o.PublishAsync.AckHandlerClosure = this;
    const natsStatus s = natsConnection_JetStream(&js, conn.get(), &o);
    if (s != NATS_OK) fail(detail::nats_error(s));
  }

  /// Detects JetStream on the current connection and creates the stream when it is missing.
  void detect() {
    if (!options.use_jetstream) {
      mode = Mode::core;
      return;
    }
    create_context();
    jsOptions o;
    jsOptions_Init(&o);
    o.Wait = options.connect_timeout.count();
    jsStreamInfo* si = nullptr;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    natsStatus s = js_GetStreamInfo(&si, js, options.stream.c_str(), &o, &jerr);
    if (s == NATS_OK) {
      jsStreamInfo_Destroy(si);
      set_mode(Mode::jetstream, "stream exists");
      return;
    }
    if (jerr == JSStreamNotFoundErr) {
      add_stream(o);
      return;
    }
    if (s == NATS_NO_RESPONDERS || jerr == JSNotEnabledErr || jerr == JSNotEnabledForAccountErr) {
      set_mode(Mode::core, "JetStream not available");
      return;
    }
    fail("jetstream detection: " + detail::nats_error(s));
  }

  void add_stream(jsOptions& o) {
    std::vector<const char*> subjects;
    for (const auto& subj : options.stream_subjects)
      subjects.push_back(subj.c_str());
    jsStreamConfig cfg;
    jsStreamConfig_Init(&cfg);
    cfg.Name = options.stream.c_str();
    cfg.Subjects = subjects.data();
    cfg.SubjectsLen = static_cast<int>(subjects.size());
    cfg.Storage = js_FileStorage;
    cfg.Replicas = std::max(1, options.stream_replicas);
    jsStreamInfo* si = nullptr;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    const natsStatus s = js_AddStream(&si, js, &cfg, &o, &jerr);
    if (s == NATS_OK) {
      jsStreamInfo_Destroy(si);
      set_mode(Mode::jetstream, "stream created");
    } else if (jerr == JSStreamSubjectOverlapErr || jerr == JSStreamNameExistErr) {
      set_mode(Mode::jetstream, "subjects captured by an existing stream");
    } else {
      fail("jetstream add stream: " + detail::nats_error(s));
    }
  }

  void set_mode(Mode m, const std::string& why) {
    mode = m;
    jetstream = m == Mode::jetstream;
    log("info", std::string("msg=\"nats publisher mode\" mode=") +
                    (m == Mode::jetstream ? "jetstream stream=" + options.stream : "core") +
                    " reason=\"" + why + "\"");
  }

  std::size_t publish_core(std::span<const Event> events) {
    for (const auto& e : events) {
      const auto body = event_body(e);
      const natsStatus s = natsConnection_Publish(conn.get(), event_subject(e).c_str(), body.data(),
                                                  static_cast<int>(body.size()));
      if (s != NATS_OK) fail(detail::nats_error(s));
    }
    const natsStatus s = natsConnection_FlushTimeout(conn.get(), options.ack_timeout.count());
    if (s != NATS_OK) fail("flush: " + detail::nats_error(s));
    return events.size();
  }

  std::size_t publish_jetstream(std::span<const Event> events) {
    {
      std::lock_guard lock(acks_mu);
      in_flight.clear();
      for (std::size_t i = 0; i < events.size(); ++i)
        in_flight.emplace(events[i].id, i);
      acked.assign(events.size(), 0);
      ack_error.clear();
    }
    std::string error;
    for (const auto& e : events) {
      const auto body = event_body(e);
      jsPubOptions po;
      jsPubOptions_Init(&po);
      po.MsgId = e.id.c_str();
      const natsStatus s = js_PublishAsync(js, event_subject(e).c_str(), body.data(),
                                           static_cast<int>(body.size()), &po);
      if (s != NATS_OK) {
        error = detail::nats_error(s);
        break;
      }
    }
    jsPubOptions co;
    jsPubOptions_Init(&co);
    co.MaxWait = options.ack_timeout.count();
    const natsStatus s = js_PublishAsyncComplete(js, &co);
    if (s != NATS_OK) {
      if (error.empty()) error = "waiting for acks: " + detail::nats_error(s);
      natsMsgList pending;
      if (js_PublishAsyncGetPendingList(&pending, js) == NATS_OK) natsMsgList_Destroy(&pending);
    }
    std::size_t prefix = 0;
    {
      std::lock_guard lock(acks_mu);
      while (prefix < acked.size() && acked[prefix])
        ++prefix;
      if (error.empty()) error = ack_error;
      in_flight.clear();
    }
    if (prefix == 0 && !events.empty()) fail(error.empty() ? "no acknowledgement" : error);
    return prefix;
  }
};

NatsEventSink::NatsEventSink(NatsOptions options, LogFn log)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(log))) {}

NatsEventSink::~NatsEventSink() = default;

std::size_t NatsEventSink::publish_batch(std::span<const Event> events) {
  if (events.empty()) return 0;
  std::lock_guard lock(impl_->batch_mu);
  if (!impl_->conn.connected()) impl_->fail("nats: not connected");
  if (impl_->conn.state().fresh.exchange(false)) impl_->mode = Impl::Mode::unknown;
  if (impl_->mode == Impl::Mode::unknown) {
    try {
      impl_->detect();
    } catch (...) {
      impl_->conn.state().fresh = true;  // detect again next time
      throw;
    }
  }
  const std::size_t n = impl_->mode == Impl::Mode::jetstream ? impl_->publish_jetstream(events)
                                                             : impl_->publish_core(events);
  impl_->published += static_cast<std::int64_t>(n);
  if (n == events.size()) {
    std::lock_guard acks(impl_->acks_mu);
    impl_->last_error.clear();
  }
  return n;
}

void NatsEventSink::on_connected(std::function<void()> callback) {
  impl_->conn.set_on_connected(std::move(callback));
}

NatsStatus NatsEventSink::status() const {
  NatsStatus s;
  s.connected = impl_->conn.connected();
  s.jetstream = impl_->jetstream;
  if (s.connected) s.url = impl_->conn.connected_url();
  s.published = impl_->published;
  s.disconnects = impl_->conn.state().disconnects;
  s.reconnects = impl_->conn.state().reconnects;
  std::lock_guard lock(impl_->acks_mu);
  s.last_error = impl_->last_error;
  return s;
}

}  // namespace task::events
