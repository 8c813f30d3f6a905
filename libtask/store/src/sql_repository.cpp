// SqlRepository itself: construction, row decoding, the rows it could not decode, and ping.
#include "sql_repository.hpp"

#include <type_traits>

#include "codec.hpp"

namespace task::store::detail {

SqlRepository::SqlRepository(std::unique_ptr<Database> db) : db_(std::move(db)) {}

void SqlRepository::skipped(const Unreadable& e) {
  ++unreadable_;
  if (hook_) {
    try {
      hook_(e);
    } catch (...) {
      // a failing reporter must not fail the read
    }
  }
}

std::string SqlRepository::skip_unreadable() {
  std::lock_guard lock(unreadable_mutex_);
  const auto now = std::chrono::steady_clock::now();
  if (now - unreadable_since_ > std::chrono::minutes(5)) {
    unreadable_ids_.clear();
    unreadable_since_ = now;
  }
  if (unreadable_ids_.empty()) return {};
  std::string out = " AND id NOT IN (";
  for (const auto id : unreadable_ids_)
    out += (out.back() == '(' ? "" : ", ") + std::to_string(id);
  return out + ")";
}

template <class Record>
std::optional<Record> SqlRepository::decode_as(const soci::row& r, OnUnreadable mode) {
  constexpr bool kTask = std::is_same_v<Record, Task>;
  try {
    if constexpr (kTask)
      return task_from_row(r);
    else
      return execution_from_row(r);
  } catch (const std::exception& e) {
    std::string id = "?";
    try {
      id = col_str(r, 1);
      if constexpr (kTask) {  // left out of the scheduler's queries for a while (skip_unreadable)
        std::lock_guard lock(unreadable_mutex_);
        if (unreadable_ids_.size() < 1000) unreadable_ids_.insert(col_i64(r, 0));
      }
    } catch (...) {
      // keep "?"
    }
    Unreadable error(kTask ? "user_tasks" : "task_executions", id, e.what());
    if (mode == OnUnreadable::fail) throw error;
    skipped(error);
    return std::nullopt;
  }
}

std::optional<Task> SqlRepository::decode_task(const soci::row& r, OnUnreadable mode) {
  return decode_as<Task>(r, mode);
}

std::optional<Execution> SqlRepository::decode_execution(const soci::row& r, OnUnreadable mode) {
  return decode_as<Execution>(r, mode);
}

std::vector<Task> SqlRepository::select_tasks(soci::session& s, const std::string& rest, Params& p,
                                              OnUnreadable mode) {
  std::vector<Task> out;
  query(s, "SELECT " + task_columns(d()) + " FROM " + t("user_tasks") + rest, p,
        [&](const soci::row& r) {
          if (auto task = decode_task(r, mode)) out.push_back(std::move(*task));
        });
  return out;
}

void SqlRepository::ping() {
  db_->with_session([&](soci::session& s) {
    Params p;
    query_int(s, "SELECT 1", p);
  });
}

}  // namespace task::store::detail
