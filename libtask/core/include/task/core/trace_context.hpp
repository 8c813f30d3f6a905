#pragma once
/// W3C Trace Context (traceparent / tracestate) propagation without a tracing SDK: parse the
/// incoming header or start a new trace, keep the context of the work a thread is doing, and
/// give outbound calls their `traceparent` (same trace id, this process's span as the parent).
/// Log lines written on a thread with a current context carry its `trace_id`.
///
/// Ownership: TraceContext is a value; current() returns a pointer to this thread's own copy, valid
/// until the thread sets another context (set_current, or a Scope ends). Thread-safety: the
/// current context is per thread (thread_local): each thread sees only its own, so no call here
/// needs a lock; hand a context to another thread by copying it and opening a Scope there. A Scope
/// must end on the thread that opened it.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace task::trace {

/// One position in a trace: the trace id, the span of this process's work, the caller's span.
struct TraceContext {
  std::string trace_id;   ///< 32 lowercase hex, not all zero
  std::string span_id;    ///< 16 lowercase hex: this process's span (parent of outbound calls)
  std::string parent_id;  ///< 16 hex: the caller's span; empty when this process started it
  std::string flags = "01";
  std::string tracestate;  ///< passed on unchanged (at most 512 characters)

  /// `00-<trace_id>-<span_id>-<flags>`: the header for a call made from this context.
  std::string traceparent() const;
};

/// Parses a `traceparent` header (W3C Trace Context level 1; version ff and malformed values
/// are nullopt). The result's span_id is empty: call continue_trace() for this process's span.
std::optional<TraceContext> parse_traceparent(std::string_view header);

/// The context of work started on behalf of `incoming` (a parsed traceparent, or nullopt):
/// the same trace with a new span, or a new trace when there is none.
TraceContext continue_trace(std::optional<TraceContext> incoming, std::string_view tracestate = {});

/// The current context of this thread (nullptr when none).
const TraceContext* current();
/// Sets (or with nullopt clears) this thread's current context.
void set_current(std::optional<TraceContext> context);

/// Sets a thread's current context for a scope and restores the previous one after.
class Scope {
 public:
  explicit Scope(TraceContext context);
  ~Scope();
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  std::optional<TraceContext> previous_;
};

/// Headers for an outbound HTTP call from this thread: `traceparent` (and `tracestate` when
/// set) of the current context; empty when there is none.
std::vector<std::pair<std::string, std::string>> outbound_headers();

}  // namespace task::trace
