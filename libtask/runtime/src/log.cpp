#include "task/runtime/log.hpp"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>

#include "task/core/time.hpp"
#include "task/core/trace_context.hpp"

namespace task::runtime {

namespace {
std::atomic<int> g_level{static_cast<int>(LogLevel::info)};
constexpr const char* kNames[] = {"debug", "info", "warn", "error"};
}  // namespace

void set_log_level(std::string_view level) {
  for (int i = 0; i < 4; ++i)
    if (level == kNames[i]) g_level = i;
}

bool log_enabled(LogLevel level) {
  return static_cast<int>(level) >= g_level.load();
}

namespace {

bool needs_quotes(std::string_view v) {
  if (v.empty()) return true;
  for (char c : v)
    if (c == ' ' || c == '"' || c == '=' || c == '\\' || c < 0x20) return true;
  return false;
}

/// Appends `v` as one logfmt value (quoted and escaped when needed).
void append_logfmt(std::string& out, std::string_view v) {
  if (!needs_quotes(v)) {
    out.append(v);
    return;
  }
  out += '"';
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    if (static_cast<unsigned char>(c) < 0x20) continue;
    out += c;
  }
  out += '"';
}

/// The lines of every thread go to stderr through one buffer, so that a busy server does not
/// pay a `write` per line. A thread appends its line under a short lock (no system call there).
/// debug and info lines are written by a background thread at most `kDelay` later, many lines
/// per `write`; a warn or error line is written before log_line returns, with every line
/// buffered before it (order kept), and so is a buffer that grew past `kFlushBytes`. At exit
/// (std::exit, return from main) the buffer is written out; a process killed outright loses at
/// most the last `kDelay` of debug/info lines.
class StderrWriter {
 public:
  void write_line(std::string_view line, bool now) {
    std::unique_lock lock(mutex_);
    const bool was_empty = pending_.empty();
    pending_.append(line);
    if (now || pending_.size() >= kFlushBytes) {
      drain(lock);
      return;
    }
    if (!started_) {
      started_ = true;
      std::thread([this] { run(); }).detach();
      std::atexit([] { stderr_writer().flush(); });
    }
    if (was_empty && idle_) wake_.notify_one();
  }

  /// Writes everything buffered (before it returns, unless another thread is writing it).
  void flush() {
    std::unique_lock lock(mutex_);
    // Another thread writing: wait (bounded, stderr may be stuck) for it to finish its round.
    for (int i = 0; writing_ && i < 1000; ++i) {
      lock.unlock();
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      lock.lock();
    }
    drain(lock);
  }

  static StderrWriter& stderr_writer() {
    static auto* writer = new StderrWriter;  // never destroyed: threads may log during exit
    return *writer;
  }

 private:
  static constexpr std::size_t kFlushBytes = 64 * 1024;
  static constexpr std::chrono::milliseconds kDelay{10};

  /// With the lock held: writes the buffer outside the lock until it is empty. A thread that
  /// finds another writing leaves its lines to that one (which loops until none are left).
  void drain(std::unique_lock<std::mutex>& lock) {
    if (writing_) return;
    writing_ = true;
    while (!pending_.empty()) {
      out_.swap(pending_);
      lock.unlock();
      write_all(out_);
      out_.clear();
      if (out_.capacity() > kFlushBytes * 4) std::string().swap(out_);
      lock.lock();
    }
    writing_ = false;
  }

  void run() {
    std::unique_lock lock(mutex_);
    for (;;) {
      idle_ = true;
      wake_.wait(lock, [this] { return !pending_.empty(); });
      idle_ = false;
      lock.unlock();
      std::this_thread::sleep_for(kDelay);  // let more lines gather
      lock.lock();
      drain(lock);
    }
  }

  static void write_all(std::string_view bytes) {
    while (!bytes.empty()) {
      const auto n = ::write(STDERR_FILENO, bytes.data(), bytes.size());
      if (n > 0) {
        bytes.remove_prefix(static_cast<std::size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      return;  // stderr closed or full: the lines are dropped, as fwrite would
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::string pending_;
  std::string out_;
  bool writing_ = false;
  bool started_ = false;
  bool idle_ = false;
};

/// `ts=… level=…` of a line, into `line` (cleared).
void begin_line(std::string& line, LogLevel level) {
  const auto now = std::chrono::time_point_cast<Micros>(std::chrono::system_clock::now());
  line.clear();
  line += "ts=";
  line += format_rfc3339(now);
  line += " level=";
  line += kNames[static_cast<int>(level)];
  line += ' ';
}

/// Ends the line: the trace id of the request or run this thread works for (unless the fields
/// name one), the newline; then writes it.
void end_line(std::string& line, LogLevel level, std::string_view fields) {
  if (const auto* trace = trace::current(); trace && fields.find("trace_id=") == fields.npos) {
    line += " trace_id=";
    line += trace->trace_id;
  }
  line += '\n';
  StderrWriter::stderr_writer().write_line(line, level >= LogLevel::warn);
  if (line.capacity() > 4096) std::string().swap(line);
}

std::string& line_buffer() {
  thread_local std::string line;
  return line;
}

}  // namespace

std::string logfmt_value(std::string_view v) {
  std::string out;
  append_logfmt(out, v);
  return out;
}

void log_preformatted(LogLevel level, std::string_view fields) {
  if (!log_enabled(level)) return;
  auto& line = line_buffer();
  begin_line(line, level);
  line += fields;
  end_line(line, level, fields);
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
  auto& line = line_buffer();
  begin_line(line, level);
  const auto start = line.size();
  line += "msg=";
  append_logfmt(line, msg);
  for (const auto& [k, v] : fields) {
    line += ' ';
    line += k;
    line += '=';
    append_logfmt(line, v);
  }
  end_line(line, level, std::string_view(line).substr(start));
}

}  // namespace

void log_line(LogLevel level, std::string_view msg,
              std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  write_fields(level, msg, fields);
}

void log_line(LogLevel level, std::string_view msg,
              std::span<const std::pair<std::string_view, std::string_view>> fields) {
  write_fields(level, msg, fields);
}

}  // namespace task::runtime
