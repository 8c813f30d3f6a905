#pragma once
/// Latency of the SQL statements the stores of this process ran, by statement kind (verb and
/// main table), for GET /metrics. Thread-safe; the numbers cover every SQL repository of the
/// process since it started.
/// Ownership: one process-wide set of histograms, valid for the whole program; readers get
/// copies of the numbers.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace task::store {

/// Upper bounds (seconds) of the statement latency histogram buckets.
inline constexpr std::array<double, 14> kStatementLatencyBuckets{
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5};

/// The histogram of one statement kind. A statement's time runs from sending it to having read
/// its last row (the row decoding of the caller included, the wait for a pooled session not).
struct StatementLatency {
  std::string verb;   ///< select, insert, update, delete, with or other
  std::string table;  ///< the first table named after FROM / INTO / UPDATE, without schema
  /// Cumulative counts: buckets[i] = statements that took <= kStatementLatencyBuckets[i].
  std::array<std::uint64_t, kStatementLatencyBuckets.size()> buckets{};
  std::uint64_t count = 0;  ///< all statements of this kind (also those that failed)
  double sum_seconds = 0;
};

/// A snapshot of every statement kind seen so far, ordered by verb and table.
std::vector<StatementLatency> statement_latency();

}  // namespace task::store
