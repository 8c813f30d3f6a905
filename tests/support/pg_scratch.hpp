// Helpers for tests and benchmarks that need a PostgreSQL database of their own and free loopback
// ports: one-statement queries through libpq, a scratch database dropped at the end, and
// free_port() (net.hpp). Header-only; the user links PkgConfig::PQ.
#pragma once

#include <libpq-fe.h>

#include <cstdio>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "net.hpp"

namespace task::testing {

/// Rows of a query result, every value as a string.
using Rows = std::vector<std::vector<std::string>>;

/// Runs one statement on `url`; the rows of a query as strings. Throws std::runtime_error with
/// the server's message on any error.
inline Rows pg_rows(const std::string& url, const std::string& sql) {
  PGconn* c = PQconnectdb(url.c_str());
  if (PQstatus(c) != CONNECTION_OK) {
    std::string err = PQerrorMessage(c);
    PQfinish(c);
    throw std::runtime_error("cannot connect to " + url + ": " + err);
  }
  PQsetNoticeProcessor(
      c, [](void*, const char*) {}, nullptr);  // "does not exist, skipping"
  PGresult* r = PQexec(c, sql.c_str());
  const auto st = PQresultStatus(r);
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
    std::string err = PQerrorMessage(c);
    PQclear(r);
    PQfinish(c);
    throw std::runtime_error("query failed: " + err + " in " + sql);
  }
  Rows rows;
  for (int i = 0; i < PQntuples(r); ++i) {
    rows.emplace_back();
    for (int j = 0; j < PQnfields(r); ++j)
      rows.back().emplace_back(PQgetvalue(r, i, j));
  }
  PQclear(r);
  PQfinish(c);
  return rows;
}

/// A fresh database `name` on the server of `admin_url` (dropped first if left over), dropped
/// WITH (FORCE) by the destructor. Its URL keeps the admin URL's query string.
class ScratchDatabase {
 public:
  ScratchDatabase(std::string admin_url, std::string name)
      : admin_(std::move(admin_url)), name_(std::move(name)) {
    const auto q = admin_.find('?');
    const auto base = admin_.substr(0, q);
    url_ = base.substr(0, base.rfind('/') + 1) + name_ +
           (q == std::string::npos ? "" : admin_.substr(q));
    pg_rows(admin_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    pg_rows(admin_, "CREATE DATABASE " + name_);
  }
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;
  ~ScratchDatabase() {
    try {
      pg_rows(admin_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (const std::exception& e) {
      std::fprintf(stderr, "could not drop database %s: %s\n", name_.c_str(), e.what());
    }
  }
  /// The connection URL of the scratch database.
  const std::string& url() const { return url_; }
  /// Runs one statement on the scratch database (see pg_rows).
  Rows query(const std::string& sql) const { return pg_rows(url_, sql); }

 private:
  std::string admin_, name_, url_;
};

}  // namespace task::testing
