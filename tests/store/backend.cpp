#include "backend.hpp"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <random>

#include "task/memory/memory_repository.hpp"

namespace task::test {

std::string& backend_name() {
  static std::string name = [] {
    const char* b = std::getenv("TASK_STORE_BACKEND");
    return std::string(b && *b ? b : "sqlite");
  }();
  return name;
}

namespace {

std::string admin_url() {
  const char* url = std::getenv("TASK_PG_URL");
  if (!url) throw std::runtime_error("TASK_PG_URL is not set");
  return url;
}

std::string unique_suffix() {
  static std::atomic<int> counter{0};
  static const unsigned seed = std::random_device{}();
  return std::to_string(::getpid()) + "_" + std::to_string(seed % 100000) + "_" +
         std::to_string(counter++);
}

void admin_exec(const std::string& sql) {
  soci::session s(soci::postgresql, task::store::pg_conninfo_from_url(admin_url()));
  s << sql;
}

}  // namespace

Fixture::Fixture(task::store::StoreOptions options) {
  const std::string& b = backend_name();
  if (b == "sqlite") {
    cleanup_ = (std::filesystem::temp_directory_path() / ("task_store_" + unique_suffix() + ".db"))
                   .string();
    url_ = "sqlite://" + cleanup_;
  } else if (b == "postgres") {
    cleanup_ = "store_test_" + unique_suffix();
    admin_exec("CREATE DATABASE " + cleanup_);  // our generated name, not input
    const std::string admin = admin_url();
    url_ = admin.substr(0, admin.rfind('/') + 1) + cleanup_;
  } else if (b == "memory") {
    repo_ = std::make_shared<task::memory::MemoryRepository>();
    task::memory::load_builtin_templates(*repo_, Timestamp{});
    return;
  } else {
    throw std::runtime_error("unknown backend " + b);
  }
  repo_ = task::store::open_repository(url_, options);
}

Fixture::~Fixture() {
  repo_.reset();
  try {
    if (backend_name() == "sqlite") {
      for (const char* suffix : {"", "-wal", "-shm"})
        std::filesystem::remove(cleanup_ + suffix);
    } else if (backend_name() == "postgres") {
      admin_exec("DROP DATABASE IF EXISTS " + cleanup_ + " WITH (FORCE)");
    }
  } catch (const std::exception& e) {
    WARN("cleanup failed: " << e.what());
  }
}

namespace {

std::string with_schema(std::string sql, bool pg) {
  for (auto at = sql.find("{t}"); at != std::string::npos; at = sql.find("{t}"))
    sql.replace(at, 3, pg ? "task." : "");
  return sql;
}

}  // namespace

void Fixture::execute_sql(const std::string& sql) {
  if (!this->sql()) throw std::logic_error("execute_sql needs a SQL backend");
  if (postgres()) {
    soci::session s(soci::postgresql, task::store::pg_conninfo_from_url(url_));
    s << with_schema(sql, true);
  } else {
    soci::session s(soci::sqlite3, "db=" + cleanup_);
    s << with_schema(sql, false);
  }
}

std::string Fixture::query_text(const std::string& sql) {
  if (!this->sql()) throw std::logic_error("query_text needs a SQL backend");
  std::string out;
  soci::indicator ind = soci::i_null;
  if (postgres()) {
    soci::session s(soci::postgresql, task::store::pg_conninfo_from_url(url_));
    s << with_schema(sql, true), soci::into(out, ind);
  } else {
    soci::session s(soci::sqlite3, "db=" + cleanup_);
    s << with_schema(sql, false), soci::into(out, ind);
  }
  return ind == soci::i_ok ? out : std::string();
}

std::shared_ptr<TaskRepository> Fixture::open_another(task::store::StoreOptions options) {
  if (!sql()) return repo_;
  return task::store::open_repository(url_, options);
}

}  // namespace task::test
