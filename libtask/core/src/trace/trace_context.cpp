#include "task/core/trace_context.hpp"

#include "task/core/text.hpp"

namespace task::trace {

namespace {

thread_local std::optional<TraceContext> t_current;

bool is_hex(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

bool all_zero(std::string_view s) {
  return s.find_first_not_of('0') == std::string_view::npos;
}

}  // namespace

std::string TraceContext::traceparent() const {
  return "00-" + trace_id + "-" + span_id + "-" + flags;
}

std::optional<TraceContext> parse_traceparent(std::string_view h) {
  // version "-" trace-id "-" parent-id "-" flags: 2 + 1 + 32 + 1 + 16 + 1 + 2 = 55 characters.
  if (h.size() < 55 || h[2] != '-' || h[35] != '-' || h[52] != '-') return std::nullopt;
  const auto version = h.substr(0, 2);
  if (!is_hex(version) || version == "ff") return std::nullopt;
  if (version == "00" ? h.size() != 55 : (h.size() > 55 && h[55] != '-')) return std::nullopt;
  const auto trace_id = h.substr(3, 32);
  const auto parent_id = h.substr(36, 16);
  const auto flags = h.substr(53, 2);
  if (!is_hex(trace_id) || all_zero(trace_id) || !is_hex(parent_id) || all_zero(parent_id) ||
      !is_hex(flags))
    return std::nullopt;
  TraceContext c;
  c.trace_id = std::string(trace_id);
  c.parent_id = std::string(parent_id);
  c.flags = std::string(flags);
  return c;
}

TraceContext continue_trace(std::optional<TraceContext> incoming, std::string_view tracestate) {
  TraceContext c;
  if (incoming) {
    c = std::move(*incoming);
    if (tracestate.size() <= 512) c.tracestate = std::string(tracestate);
  } else {
    c.trace_id = random_hex(32);
  }
  c.span_id = random_hex(16);
  return c;
}

const TraceContext* current() {
  return t_current ? &*t_current : nullptr;
}

void set_current(std::optional<TraceContext> context) {
  t_current = std::move(context);
}

Scope::Scope(TraceContext context) : previous_(t_current) {
  t_current = std::move(context);
}

Scope::~Scope() {
  t_current = std::move(previous_);
}

std::vector<std::pair<std::string, std::string>> outbound_headers() {
  std::vector<std::pair<std::string, std::string>> out;
  if (!t_current) return out;
  out.emplace_back("traceparent", t_current->traceparent());
  if (!t_current->tracestate.empty()) out.emplace_back("tracestate", t_current->tracestate);
  return out;
}

}  // namespace task::trace
