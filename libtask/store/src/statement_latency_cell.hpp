#pragma once
/// The process-wide cells behind task::store::statement_latency().
#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <utility>

#include "task/store/statement_latency.hpp"

namespace task::store::detail {

/// Lock-free counters of one statement kind.
class StatementLatencyCell {
 public:
  void observe(std::uint64_t nanos);
  StatementLatency snapshot() const;

 private:
  friend StatementLatencyCell& latency_cell(const std::string& sql);
  std::string verb_, table_;
  std::array<std::atomic<std::uint64_t>, kStatementLatencyBuckets.size() + 1> buckets_{};
  std::atomic<std::uint64_t> sum_nanos_{0};
};

/// The kind of `sql`: its verb and main table ("select", "user_tasks").
std::pair<std::string, std::string> statement_kind(const std::string& sql);

/// The cell of the kind of `sql` (created on first use; lives as long as the process).
StatementLatencyCell& latency_cell(const std::string& sql);

}  // namespace task::store::detail
