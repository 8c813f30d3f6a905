#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <mutex>

#include "statement_latency_cell.hpp"

namespace task::store::detail {

namespace {

struct Registry {
  std::mutex mutex;
  std::map<std::pair<std::string, std::string>, std::unique_ptr<StatementLatencyCell>> cells;
};

Registry& registry() {
  static Registry* r = new Registry;  // never destroyed: cells outlive every store
  return *r;
}

bool word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
}

std::string lower(std::string s) {
  for (char& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

/// The words of `sql` outside string literals, lower-cased, up to `limit` of them.
std::vector<std::string> words(const std::string& sql, std::size_t limit) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < sql.size() && out.size() < limit) {
    const char c = sql[i];
    if (c == '\'') {
      i = sql.find('\'', i + 1);
      if (i == std::string::npos) break;
      ++i;
    } else if (word_char(c)) {
      std::size_t j = i;
      while (j < sql.size() && word_char(sql[j]))
        ++j;
      out.push_back(lower(sql.substr(i, j - i)));
      i = j;
    } else {
      ++i;
    }
  }
  return out;
}

std::string table_name(std::string w) {
  if (const auto dot = w.rfind('.'); dot != std::string::npos) w = w.substr(dot + 1);
  return w.empty() ? "unknown" : w;
}

}  // namespace

std::pair<std::string, std::string> statement_kind(const std::string& sql) {
  const auto w = words(sql, 400);
  if (w.empty()) return {"other", "unknown"};
  const std::string& verb = w[0];
  auto after = [&](const char* key) -> std::string {
    for (std::size_t i = 0; i + 1 < w.size(); ++i)
      if (w[i] == key) return table_name(w[i + 1]);
    return "unknown";
  };
  if (verb == "select") return {verb, after("from")};
  if (verb == "insert") return {verb, after("into")};
  if (verb == "update") return {verb, w.size() > 1 ? table_name(w[1]) : "unknown"};
  if (verb == "delete") return {verb, after("from")};
  if (verb == "with") {
    // WITH name AS (...) <verb> ...: the table the CTE's first statement reads or writes.
    for (std::size_t i = 1; i + 1 < w.size(); ++i) {
      if (w[i] == "update") return {verb, table_name(w[i + 1])};
      if (w[i] == "from" || w[i] == "into") return {verb, table_name(w[i + 1])};
    }
    return {verb, "unknown"};
  }
  return {"other", "unknown"};
}

void StatementLatencyCell::observe(std::uint64_t nanos) {
  std::size_t i = 0;
  while (i < kStatementLatencyBuckets.size() &&
         static_cast<double>(nanos) > kStatementLatencyBuckets[i] * 1e9)
    ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_nanos_.fetch_add(nanos, std::memory_order_relaxed);
}

StatementLatency StatementLatencyCell::snapshot() const {
  StatementLatency out;
  out.verb = verb_;
  out.table = table_;
  std::uint64_t running = 0;
  for (std::size_t i = 0; i < kStatementLatencyBuckets.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    out.buckets[i] = running;
  }
  out.count = running + buckets_.back().load(std::memory_order_relaxed);  // le="+Inf"
  out.sum_seconds = static_cast<double>(sum_nanos_.load(std::memory_order_relaxed)) / 1e9;
  return out;
}

StatementLatencyCell& latency_cell(const std::string& sql) {
  auto kind = statement_kind(sql);
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  auto& cell = r.cells[kind];
  if (!cell) {
    cell = std::make_unique<StatementLatencyCell>();
    cell->verb_ = std::move(kind.first);
    cell->table_ = std::move(kind.second);
  }
  return *cell;
}

}  // namespace task::store::detail

namespace task::store {

std::vector<StatementLatency> statement_latency() {
  auto& r = detail::registry();
  std::lock_guard lock(r.mutex);
  std::vector<StatementLatency> out;
  out.reserve(r.cells.size());
  for (const auto& [kind, cell] : r.cells)
    out.push_back(cell->snapshot());
  return out;
}

}  // namespace task::store
