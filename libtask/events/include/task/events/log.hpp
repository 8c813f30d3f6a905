#pragma once
/// A minimal logging hook for the event adapters: one line per event, key=value text.
///
/// Ownership: a LogFn is a value (std::function); it must not outlive what it captures.
/// Thread-safety: the adapters call their LogFn from their own threads, possibly at once; the
/// loggers given here are safe for that (stderr_logger writes each line in one call).
#include <functional>
#include <string_view>

namespace task::events {

/// Receives one log line; `level` is "debug", "info", "warn" or "error".
using LogFn = std::function<void(std::string_view level, std::string_view line)>;

/// Writes `level=<level> component=events <line>` to stderr (thread-safe).
LogFn stderr_logger();

/// A logger that drops everything (tests, benchmarks).
LogFn null_logger();

}  // namespace task::events
