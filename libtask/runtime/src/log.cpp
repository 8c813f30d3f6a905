#include "task/runtime/log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>

#include "task/core/time.hpp"
#include "task/core/trace_context.hpp"

namespace task::runtime {

namespace {
std::atomic<int> g_level{static_cast<int>(LogLevel::info)};
std::mutex g_mutex;
constexpr const char* kNames[] = {"debug", "info", "warn", "error"};
}  // namespace

void set_log_level(std::string_view level) {
  for (int i = 0; i < 4; ++i)
    if (level == kNames[i]) g_level = i;
}

bool log_enabled(LogLevel level) {
  return static_cast<int>(level) >= g_level.load();
}

std::string logfmt_value(std::string_view v) {
  bool quote = v.empty();
  for (char c : v)
    quote = quote || c == ' ' || c == '"' || c == '=' || c == '\\' || c < 0x20;
  if (!quote) return std::string(v);
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    if (static_cast<unsigned char>(c) < 0x20) continue;
    out += c;
  }
  return out + "\"";
}

void log_preformatted(LogLevel level, std::string_view fields) {
  if (!log_enabled(level)) return;
  const auto now = std::chrono::time_point_cast<Micros>(std::chrono::system_clock::now());
  std::string line = "ts=" + format_rfc3339(now) + " level=" + kNames[static_cast<int>(level)] +
                     " " + std::string(fields);
  // Lines written while this thread works for a traced request or run carry its trace id.
  if (const auto* trace = trace::current(); trace && fields.find("trace_id=") == fields.npos)
    line += " trace_id=" + trace->trace_id;
  line += '\n';
  std::lock_guard lock(g_mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

LogLevel parse_log_level(std::string_view level) {
  if (level == "debug") return LogLevel::debug;
  if (level == "warn" || level == "warning") return LogLevel::warn;
  if (level == "error") return LogLevel::error;
  return LogLevel::info;
}

namespace {

template <class Fields>
void write_fields(LogLevel level, std::string_view msg, const Fields& fields) {
  if (!log_enabled(level)) return;
  std::string line = "msg=" + logfmt_value(msg);
  for (const auto& [k, v] : fields)
    line += " " + std::string(k) + "=" + logfmt_value(v);
  log_preformatted(level, line);
}

}  // namespace

void log_line(LogLevel level, std::string_view msg,
              std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  write_fields(level, msg, fields);
}

void log_line(LogLevel level, std::string_view msg,
              const std::vector<std::pair<std::string_view, std::string_view>>& fields) {
  write_fields(level, msg, fields);
}

}  // namespace task::runtime
