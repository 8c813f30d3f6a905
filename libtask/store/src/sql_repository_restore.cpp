// Restoring exported tasks with their executions (task-cli import) in SqlRepository.
#include "codec.hpp"
#include "sql_repository.hpp"
#include "task/rules/restore_rules.hpp"

namespace task::store::detail {

void SqlRepository::restore(const Task& task, const std::vector<Execution>& executions) {
  check_restore_arguments(task, executions);
  db_->in_transaction([&](soci::session& s) {
    // Plain INSERTs with explicit ids: any taken unique key (task_id, execution_id, id, slot)
    // fails the statement, which Database maps to Conflict after the rollback.
    Params p;
    auto [cols, vals] = task_values(d(), task, p);
    execute(s,
            "INSERT INTO " + t("user_tasks") + " (id, " + cols + ") VALUES (" + p.add(task.id) +
                ", " + vals + ")",
            p);
    for (const auto& x : executions) {
      Params xp;
      auto [xcols, xvals] = execution_values(d(), x, xp);
      execute(s,
              "INSERT INTO " + t("task_executions") + " (id, " + xcols + ") VALUES (" +
                  xp.add(x.id) + ", " + xvals + ")",
              xp);
    }
    if (!d().pg()) return;  // SQLite's AUTOINCREMENT counter follows explicit ids by itself
    // PostgreSQL's sequences do not: move them past the restored ids, never backwards (the
    // value nextval takes here is handed out again by the next insert).
    for (const char* table : {"user_tasks", "task_executions"}) {
      if (std::string(table) == "task_executions" && executions.empty()) continue;
      const std::string seq = "pg_get_serial_sequence('" + t(table) + "', 'id')";
      Params sp;
      query_int(s,
                "SELECT setval(" + seq + ", GREATEST((SELECT MAX(id) FROM " + t(table) +
                    "), nextval(" + seq + ") - 1))",
                sp);
    }
  });
}

}  // namespace task::store::detail
