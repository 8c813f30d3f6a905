#pragma once
/// The commands of task-cli, each written once against Backend and Printer. Each returns the
/// process exit code (0) or throws (mapped by describe_error).
#include <iosfwd>
#include <string>

#include "backend.hpp"
#include "options.hpp"
#include "output.hpp"

namespace task::cli {

int cmd_add(Backend& b, Printer& p, const TaskFields& f);
int cmd_list(Backend& b, Printer& p, const ListOptions& o);
int cmd_show(Backend& b, Printer& p, const std::string& task_id);
int cmd_edit(Backend& b, Printer& p, const std::string& task_id, const TaskFields& f);
/// done / reopen / pause / resume / cancel: a status change through PUT.
int cmd_set_status(Backend& b, Printer& p, const std::string& task_id, const std::string& verb);
int cmd_rm(Backend& b, Printer& p, const std::string& task_id);
/// Starts a manual run, waits for its outcome and prints the execution; exit code 1 when the run
/// failed.
int cmd_run(Backend& b, Printer& p, const std::string& task_id, const RunOptions& o);
/// One action on many tasks (ids or a filter); per-task results; exit code of the failures when
/// any task failed (their common HTTP status, else 1).
int cmd_bulk(Backend& b, Printer& p, const BulkOptions& o);
int cmd_runs(Backend& b, Printer& p, const std::string& task_id, const PageOptions& o);
int cmd_templates(Backend& b, Printer& p, const TemplateOptions& o);
int cmd_from_template(Backend& b, Printer& p, const std::string& template_id, const TaskFields& f);
int cmd_stats(Backend& b, Printer& p, const StatsOptions& o);
/// The next fire times of a schedule expression; offline (no backend).
int cmd_next(Printer& p, const NextOptions& o);
/// The next runs of a task (GET /api/v1/tasks/{id}/upcoming).
int cmd_upcoming(Backend& b, Printer& p, const std::string& task_id, const PlanOptions& o);
/// Slots of a schedule that is not saved, computed by the service (POST /schedules/preview).
int cmd_preview(Backend& b, Printer& p, const PlanOptions& o);
/// Completed occurrences of a recurring todo, newest first.
int cmd_completions(Backend& b, Printer& p, const std::string& task_id, const PlanOptions& o);
/// Writes the caller's tasks with their executions as JSON Lines, oldest task first.
int cmd_export(Backend& b, std::ostream& out);
/// Reads JSON Lines written by export and stores each record exactly.
int cmd_import(Backend& b, std::istream& in, std::ostream& report, bool quiet);
int cmd_db_migrate(Backend& b, std::ostream& out);

/// All tasks of the caller (every page), newest first, as the list endpoint returns them.
boost::json::array fetch_all_tasks(Backend& b, Params query);
/// All executions of a task, oldest first.
boost::json::array fetch_all_executions(Backend& b, const std::string& task_id);

}  // namespace task::cli
