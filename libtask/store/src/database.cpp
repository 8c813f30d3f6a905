#include "database.hpp"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <thread>

#include "task/core/errors.hpp"

namespace task::store::detail {

Failure classify(const soci::soci_error& e, soci::session& s) {
  if (const auto* pe = dynamic_cast<const soci::postgresql_soci_error*>(&e)) {
    const std::string state = pe->sqlstate();
    if (state == "40001" || state == "40P01" || state == "55P03") return Failure::transient;
    if (state.rfind("08", 0) == 0 || state.rfind("57P", 0) == 0) return Failure::connection;
    if (state == "23505") return Failure::constraint;
  }
  if (const auto* se = dynamic_cast<const soci::sqlite3_soci_error*>(&e)) {
    const int code = se->result() & 0xff;
    if (code == 5 || code == 6) return Failure::transient;  // SQLITE_BUSY, SQLITE_LOCKED
    if (code == 19) return Failure::constraint;             // SQLITE_CONSTRAINT
  }
  if (e.get_error_category() == soci::soci_error::connection_error) return Failure::connection;
  if (!s.is_connected()) return Failure::connection;  // a round trip, only on the error path
  return Failure::permanent;
}

Database::Database(Dialect dialect, std::string connect_string, StoreOptions options)
    : dialect_(dialect), connect_string_(std::move(connect_string)), options_(options) {
  if (options_.pool_size < 1) options_.pool_size = 1;
  slots_.resize(static_cast<std::size_t>(options_.pool_size));
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    try {
      open_slot(slots_[i]);
    } catch (const soci::soci_error& e) {
      throw Unavailable(std::string("storage unavailable: ") + e.what());
    }
    free_.push_back(i);
  }
}

Database::~Database() = default;

void Database::open_slot(Slot& slot) {
  slot.broken = true;
  slot.session.reset();  // its prepared statements go with it
  slot.session = std::make_unique<PooledSession>();
  slot.session->sqlite = !dialect_.pg();
  soci::session& s = *slot.session;
  if (dialect_.pg()) {
    s.open(soci::postgresql, connect_string_);
    // Our statements are short: JIT compilation (on by default when PostgreSQL estimates a
    // cost above jit_above_cost) adds 100+ ms to a claim that runs in 2 ms, and the fair claim's
    // estimate sits near that threshold (docs/storage.md, "JIT").
    s << "SET jit = off";
  } else {
    s.open(soci::sqlite3, connect_string_);
    const long long busy_ms = options_.busy_timeout.count();
    s << "PRAGMA busy_timeout = " + std::to_string(busy_ms);  // our number, not user input
    s << "PRAGMA journal_mode = WAL";
    s << "PRAGMA synchronous = NORMAL";
    s << "PRAGMA foreign_keys = ON";
  }
  slot.broken = false;
}

std::size_t Database::acquire() {
  std::unique_lock lock(mutex_);
  available_.wait(lock, [&] { return !free_.empty(); });
  const std::size_t i = free_.back();
  free_.pop_back();
  return i;
}

void Database::release(std::size_t index) {
  {
    std::lock_guard lock(mutex_);
    free_.push_back(index);
  }
  available_.notify_one();
}

void Database::run(const std::function<void(soci::session&)>& fn) {
  auto backoff = options_.retry_backoff;
  for (int attempt = 0;; ++attempt) {
    const std::size_t index = acquire();
    struct Release {
      Database* db;
      std::size_t i;
      ~Release() { db->release(i); }
    } release_guard{this, index};
    Slot& slot = slots_[index];
    std::string message;
    try {
      if (slot.broken) open_slot(slot);
      LeasedSession leased(*slot.session);
      fn(*slot.session);
      return;
    } catch (const soci::soci_error& e) {
      message = e.what();
      const Failure failure =
          slot.session && !slot.broken ? classify(e, *slot.session) : Failure::connection;
      if (failure == Failure::constraint)
        throw Conflict("stored", "duplicate");  // a unique key is taken
      if (failure == Failure::permanent) throw;
      if (failure == Failure::connection) slot.broken = true;
    }
    if (attempt >= options_.retries)
      throw Unavailable("storage unavailable after " + std::to_string(attempt + 1) +
                        " attempts: " + message);
    std::this_thread::sleep_for(backoff);
    backoff *= 2;
  }
}

void Database::transact(const std::function<void(soci::session&)>& fn) {
  run([&](soci::session& s) { within_transaction(s, dialect_.begin_write(), [&] { fn(s); }); });
}

}  // namespace task::store::detail
