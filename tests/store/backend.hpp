#pragma once
/// The backend a conformance run targets (environment `TASK_STORE_BACKEND`: sqlite, the default,
/// postgres or memory), and fresh repositories on it.
#include <memory>
#include <string>

#include "task/ports/repository.hpp"
#include "task/store/store.hpp"

namespace task::test {

/// The backend chosen by TASK_STORE_BACKEND ("sqlite" when unset); another name makes every
/// Fixture throw "unknown backend".
std::string& backend_name();

/// A fresh, empty repository on the chosen backend, removed again in the destructor.
class Fixture {
 public:
  explicit Fixture(task::store::StoreOptions options = {});
  ~Fixture();
  Fixture(const Fixture&) = delete;
  Fixture& operator=(const Fixture&) = delete;

  TaskRepository& repo() { return *repo_; }
  /// Another repository on the same storage (another "process"); the same one for memory.
  std::shared_ptr<TaskRepository> open_another(task::store::StoreOptions options = {});
  /// The URL of the storage ("" for memory).
  const std::string& url() const { return url_; }
  bool sql() const { return !url_.empty(); }
  bool postgres() const { return url_.rfind("postgresql", 0) == 0; }
  /// Runs one SQL statement on the storage by hand, past the repository (SQL backends only):
  /// `{t}` in the text becomes the schema prefix of the backend ("task." or "").
  void execute_sql(const std::string& sql);
  /// The first column of the first row of a query run by hand ("" when NULL or no row).
  std::string query_text(const std::string& sql);

 private:
  std::string url_;
  std::string cleanup_;  // sqlite file or postgres database name
  std::shared_ptr<TaskRepository> repo_;
};

}  // namespace task::test
