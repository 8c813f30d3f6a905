#pragma once
/// A pool of SOCI sessions with retry of transient failures and the mapping of dead storage to
/// task::Unavailable.
#include <soci/soci.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "dialect.hpp"
#include "sql_exec.hpp"
#include "task/store/store.hpp"

namespace task::store::detail {

/// How a database error should be handled.
enum class Failure { transient, connection, constraint, permanent };

/// Classifies a SOCI error raised on session `s`.
Failure classify(const soci::soci_error& e, soci::session& s);

/// The connection pool of one repository. (A small pool of our own rather than
/// soci::connection_pool: a session whose connection died must be reopened with its PRAGMAs, and
/// SOCI 4.0.3's reconnect() leaves a pooled session unusable when the server is still down.)
class Database {
 public:
  /// Opens `options.pool_size` sessions; throws Unavailable when the database is unreachable.
  Database(Dialect dialect, std::string connect_string, StoreOptions options);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  const Dialect& dialect() const { return dialect_; }
  const StoreOptions& options() const { return options_; }

  /// Runs `fn(session)` on a leased session; retries transient and connection failures with
  /// exponential backoff, then throws Unavailable. `fn` may run more than once.
  template <class F>
  auto with_session(F&& fn) -> decltype(fn(std::declval<soci::session&>())) {
    return call(&Database::run, fn);
  }

  /// Like with_session, inside one write transaction (BEGIN IMMEDIATE on SQLite): commits when
  /// `fn` returns, rolls back when it throws.
  template <class F>
  auto in_transaction(F&& fn) -> decltype(fn(std::declval<soci::session&>())) {
    return call(&Database::transact, fn);
  }

 private:
  struct Slot {
    std::unique_ptr<PooledSession> session;
    bool broken = true;
  };
  using Runner = void (Database::*)(const std::function<void(soci::session&)>&);
  void run(const std::function<void(soci::session&)>& fn);
  void transact(const std::function<void(soci::session&)>& fn);
  /// `fn` through `runner` (run or transact), handing back what its last attempt returned.
  template <class F>
  auto call(Runner runner, F& fn) -> decltype(fn(std::declval<soci::session&>())) {
    using R = decltype(fn(std::declval<soci::session&>()));
    if constexpr (std::is_void_v<R>) {
      (this->*runner)([&](soci::session& s) { fn(s); });
    } else {
      std::optional<R> out;
      (this->*runner)([&](soci::session& s) { out.emplace(fn(s)); });
      return std::move(*out);
    }
  }
  void open_slot(Slot& slot);
  std::size_t acquire();
  void release(std::size_t index);

  Dialect dialect_;
  std::string connect_string_;
  StoreOptions options_;
  std::vector<Slot> slots_;
  std::vector<std::size_t> free_;
  std::mutex mutex_;
  std::condition_variable available_;
};

}  // namespace task::store::detail
