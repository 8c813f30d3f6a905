#pragma once
/// One line per event on stderr, key=value (logfmt): `ts=... level=info msg=request k=v ...`.
/// Values with spaces, quotes or `=` are quoted. Thread-safe.
///
/// Lines go through one process-wide buffer: debug and info lines reach stderr at most 10 ms
/// later (many lines per `write`), warn and error lines before the call returns (with every line
/// buffered before them, in order); the buffer is written out at exit.
///
/// Ownership: string_view arguments are read during the call only. Thread-safety: log_line may be
/// called from any number of threads (each line is written whole); set_log_level may be called at
/// any time (the level is atomic).
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace task::runtime {

/// Severity; lines below the configured level are dropped.
enum class LogLevel { debug, info, warn, error };

/// Sets the minimum level ("debug", "info", "warn", "error").
void set_log_level(std::string_view level);

/// True when lines at `level` are written.
bool log_enabled(LogLevel level);

/// Writes one line: ts, level, msg, then the fields in order.
void log_line(LogLevel level, std::string_view msg,
              std::initializer_list<std::pair<std::string_view, std::string_view>> fields = {});
/// The same, with fields built at run time (e.g. an optional field; a vector or part of an
/// array).
void log_line(LogLevel level, std::string_view msg,
              std::span<const std::pair<std::string_view, std::string_view>> fields);

/// Writes one line whose fields after ts and level are already logfmt text (adapters' loggers).
void log_preformatted(LogLevel level, std::string_view fields);

/// Parses "debug", "info", "warn"/"warning" or "error"; anything else is info.
LogLevel parse_log_level(std::string_view level);

/// Formats one logfmt value (quoted and escaped when needed).
std::string logfmt_value(std::string_view v);

}  // namespace task::runtime
