// task-cli: the command line of the task service. This is the only file that includes CLI11
// (about 10 s of compile time per translation unit); commands live in commands.cpp.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>

#include "backend.hpp"
#include "commands.hpp"
#include "completion.hpp"
#include "exit_codes.hpp"
#include "options.hpp"
#include "output.hpp"

namespace {

using task::cli::TaskFields;

/// Registers `--flag VALUE` that fills a std::optional<std::string>.
CLI::Option* opt(CLI::App* app, const std::string& name, std::optional<std::string>& target,
                 const std::string& help) {
  return app->add_option_function<std::string>(
      name, [&target](const std::string& v) { target = v; }, help);
}

CLI::Option* opt_int(CLI::App* app, const std::string& name, std::optional<int>& target,
                     const std::string& help) {
  return app->add_option_function<int>(
      name, [&target](const int& v) { target = v; }, help);
}

enum class FieldSet { create, update, from_template };

void add_field_options(CLI::App* app, TaskFields& f, FieldSet which) {
  const bool update = which == FieldSet::update;
  if (which != FieldSet::create) opt(app, "--name", f.name, "new task name");
  opt(app, "--description,-d", f.description, "description");
  if (which == FieldSet::create)
    opt(app, "--type,-t", f.task_type, "task type (default todo)")
        ->check(CLI::IsMember({"daily_weather", "daily_news", "news_monitor", "weather_alert",
                               "price_tracker", "data_backup", "todo", "reminder", "calendar_event",
                               "custom"}));
  opt(app, "--priority,-p", f.priority, "low, medium, high or urgent");
  opt(app, "--schedule,-s", f.schedule,
      "cron:EXPR[@ZONE], daily:HH:MM[@ZONE], weekly:DAY@HH:MM[@ZONE], monthly:N@HH:MM[@ZONE], "
      "once:TIME, every:15m, or JSON");
  opt(app, "--every", f.every, "interval schedule: 90s, 15m, 2h, 1d, 1h30m");
  opt(app, "--at", f.at, "one-time schedule at this instant (RFC 3339; no offset = UTC)");
  opt(app, "--tz", f.tz, "time zone of the schedule (IANA, e.g. Europe/Berlin)");
  opt(app, "--due", f.due, "due date (RFC 3339)");
  opt(app, "--remind", f.remind, "reminder time (RFC 3339)");
  opt(app, "--recur", f.recur,
      "repeat a todo/reminder on this schedule (as --schedule, not once; needs --due)");
  opt(app, "--anchor", f.anchor, "next due date after the due date (due) or the completion")
      ->check(CLI::IsMember({"due", "completion"}));
  app->add_option("--tag", f.tags,
                  update ? "tag (repeatable; replaces the task's tags)" : "tag (repeatable)")
      ->allow_extra_args(false)
      ->each([&f](const std::string&) { f.tags_given = true; });
  app->add_option("--config,-c", f.config,
                  update ? "config KEY=VALUE, merged into the current config (JSON value or text)"
                         : "config KEY=VALUE (value parsed as JSON when it parses, else text)")
      ->allow_extra_args(false);
  opt(app, "--config-json", f.config_json, "the whole config as a JSON object");
  opt(app, "--metadata-json", f.metadata_json, "metadata as a JSON object");
  if (which != FieldSet::from_template)
    app->add_option_function<double>(
        "--credits", [&f](const double& v) { f.credits = v; }, "credits per run (>= 0)");
  if (!update) return;
  opt(app, "--status", f.status, "set the status directly (see also done/pause/...)");
  opt(app, "--next-run", f.next_run, "set next_run_time (RFC 3339)");
  app->add_flag("--clear-description", f.clear_description, "remove the description");
  app->add_flag("--clear-schedule", f.clear_schedule, "remove the schedule");
  app->add_flag("--clear-due", f.clear_due, "remove the due date");
  app->add_flag("--clear-remind", f.clear_remind, "remove the reminder");
  app->add_flag("--clear-tags", f.clear_tags, "remove all tags");
  app->add_flag("--clear-recur", f.clear_recur, "stop repeating (remove the recurrence)");
}

bool stdout_is_tty() {
  return ::isatty(STDOUT_FILENO) == 1;
}

std::string default_user() {
  if (const char* u = std::getenv("USER"); u && *u) return u;
  return "local";
}

}  // namespace

int main(int argc, char** argv) {
  using namespace task::cli;
  CLI::App app{"task-cli — script the task service from a shell (local database or remote server)",
               "task-cli"};
  app.footer(std::string("\n") + kExitCodeHelp +
             "\nOutput: table on a terminal, json when piped; --output json|jsonl|table.\n"
             "Docs: docs/cli.md");
  app.require_subcommand(1);
  app.fallthrough();

  GlobalOptions g;
  g.user = default_user();
  std::string output;
  app.add_option("--db", g.db,
                 "local database: sqlite:///PATH or postgresql://... "
                 "(default: TASK_DATABASE_URL, else sqlite <data-dir>/tasks.db)");
  app.add_option("--data-dir", g.data_dir, "data directory of the default database")
      ->envname("TASK_DATA_DIR");
  app.add_option("--server", g.server, "remote task-server, e.g. http://127.0.0.1:8211")
      ->envname("TASK_SERVER");
  app.add_option("--user,-u", g.user, "act as this user (default: $USER or 'local')")
      ->envname("TASK_USER");
  app.add_option("--token", g.token, "bearer token (remote, JWT mode)")->envname("TASK_TOKEN");
  app.add_option("--internal-secret", g.internal_secret, "internal service secret (remote)")
      ->envname("TASK_INTERNAL_SECRET");
  app.add_option("--output,-o", output, "json, jsonl or table")
      ->check(CLI::IsMember({"json", "jsonl", "table"}));
  app.add_flag("--quiet,-q", g.quiet, "print ids only");
  opt(&app, "--idempotency-key", g.idempotency_key,
      "add, from-template, run, bulk: repeating the command with this key (24 h) answers the "
      "first result instead of doing it again");
  for (auto* o : app.get_options())  // a later global option overrides an earlier one
    if (o->get_expected_max() == 1) o->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);

  std::function<int(Backend&, Printer&)> action;
  std::function<int(Printer&)> offline;
  TaskFields fields;
  std::string id;
  ListOptions list;
  PageOptions page;
  TemplateOptions tmpl;
  StatsOptions stats;
  NextOptions next;
  RunOptions run;
  std::string file;
  std::string shell = "bash";
  BulkOptions bulk;
  bool keyed = false;  ///< the command is one of the keyed POSTs (--idempotency-key applies)
  /// A subcommand's callback that makes `fn` the action to run.
  auto act = [&action](std::function<int(Backend&, Printer&)> fn) {
    return [&action, fn = std::move(fn)] { action = fn; };
  };

  auto* add = app.add_subcommand("add", "create a task (type todo unless --type)");
  add->add_option_function<std::string>(
         "name", [&fields](const std::string& v) { fields.name = v; }, "task name")
      ->required();
  add_field_options(add, fields, FieldSet::create);
  add->callback([&] {
    keyed = true;
    action = [&](Backend& b, Printer& p) { return cmd_add(b, p, fields); };
  });

  auto* ls = app.add_subcommand("list", "list tasks (filters of GET /api/v1/tasks)");
  ls->alias("ls");
  opt(ls, "--status", list.status, "pending, scheduled, running, completed, failed, ...");
  opt(ls, "--type", list.task_type, "task type");
  opt(ls, "--priority", list.priority, "priority");
  ls->add_option("--tag", list.tags, "tag (repeatable; all must match)")->allow_extra_args(false);
  opt(ls, "--due-before", list.due_before, "due_date before this instant");
  opt(ls, "--due-after", list.due_after, "due_date after this instant");
  opt(ls, "-q,--query", list.q, "substring of the name");
  opt_int(ls, "--limit", list.limit, "page size 1-100 (default 100)");
  opt_int(ls, "--offset", list.offset, "rows to skip");
  opt(ls, "--cursor", list.cursor, "next_cursor of a previous page");
  ls->add_flag("--all", list.all, "follow next_cursor to the last page");
  ls->callback(act([&](Backend& b, Printer& p) { return cmd_list(b, p, list); }));

  auto with_id = [&](CLI::App* sub) { sub->add_option("task_id", id, "task id")->required(); };
  auto* show = app.add_subcommand("show", "show one task");
  with_id(show);
  show->callback(act([&](Backend& b, Printer& p) { return cmd_show(b, p, id); }));

  auto* edit = app.add_subcommand("edit", "change fields of a task");
  with_id(edit);
  add_field_options(edit, fields, FieldSet::update);
  edit->callback(act([&](Backend& b, Printer& p) { return cmd_edit(b, p, id, fields); }));

  for (const char* verb : {"done", "reopen", "pause", "resume", "cancel"}) {
    static const std::map<std::string, std::string> kHelp = {
        {"done", "mark a task completed"},
        {"reopen", "reopen a completed task (status pending)"},
        {"pause", "pause a task"},
        {"resume", "resume a paused task (scheduled when it has a schedule, else pending)"},
        {"cancel", "cancel a task (terminal)"}};
    auto* sub = app.add_subcommand(verb, kHelp.at(verb));
    with_id(sub);
    sub->callback([&, v = std::string(verb)] {
      action = [&, v](Backend& b, Printer& p) { return cmd_set_status(b, p, id, v); };
    });
  }

  auto* rm = app.add_subcommand("rm", "delete a task");
  with_id(rm);
  rm->callback(act([&](Backend& b, Printer& p) { return cmd_rm(b, p, id); }));

  auto* runc = app.add_subcommand("run",
                                  "run a task now, wait and print the execution "
                                  "(exit 1 when the run failed)");
  with_id(runc);
  opt(runc, "--trigger-type", run.trigger_type, "manual (default), webhook, event");
  opt(runc, "--trigger-data", run.trigger_data_json, "trigger data as a JSON object");
  runc->add_option("--wait", run.wait_seconds, "seconds to wait for the outcome (default 300)");
  runc->callback([&] {
    keyed = true;
    action = [&](Backend& b, Printer& p) { return cmd_run(b, p, id, run); };
  });

  auto* bk = app.add_subcommand("bulk",
                                "one action on up to 1000 tasks (ids or filters), per-task "
                                "results; exit code of the failures when any task failed");
  bk->add_option("action", bulk.action, "pause, resume, cancel, delete or run")->required();
  bk->add_option("task_ids", bulk.task_ids, "task ids (or --ids-file, or filters)");
  opt(bk, "--ids-file", bulk.ids_file, "task ids one per line ('-' = stdin)");
  opt(bk, "--status", bulk.filter.status, "filter: status");
  opt(bk, "--type", bulk.filter.task_type, "filter: task type");
  opt(bk, "--priority", bulk.filter.priority, "filter: priority");
  bk->add_option("--tag", bulk.filter.tags, "filter: tag (repeatable; all must match)")
      ->allow_extra_args(false);
  opt(bk, "--due-before", bulk.filter.due_before, "filter: due_date before this instant");
  opt(bk, "--due-after", bulk.filter.due_after, "filter: due_date after this instant");
  opt(bk, "-q,--query", bulk.filter.q, "filter: substring of the name");
  bk->callback([&] {
    keyed = true;
    action = [&](Backend& b, Printer& p) { return cmd_bulk(b, p, bulk); };
  });

  auto* runs = app.add_subcommand("runs", "executions of a task, newest first");
  with_id(runs);
  opt_int(runs, "--limit", page.limit, "1-100 (default 50)");
  opt_int(runs, "--offset", page.offset, "rows to skip");
  runs->callback(act([&](Backend& b, Printer& p) { return cmd_runs(b, p, id, page); }));

  auto* templates = app.add_subcommand("templates", "templates available to the user");
  opt(templates, "--category", tmpl.category, "productivity, monitoring, alerts, ...");
  opt(templates, "--type", tmpl.task_type, "task type");
  templates->callback(act([&](Backend& b, Printer& p) { return cmd_templates(b, p, tmpl); }));

  auto* from = app.add_subcommand("from-template", "create a task from a template");
  from->add_option("template_id", id, "template id")->required();
  add_field_options(from, fields, FieldSet::from_template);
  from->callback([&] {
    keyed = true;
    action = [&](Backend& b, Printer& p) { return cmd_from_template(b, p, id, fields); };
  });

  auto* st = app.add_subcommand("stats", "analytics of the user");
  opt_int(st, "--days", stats.days, "1-365 (default 30)");
  opt(st, "--tz", stats.tz, "bucket hours and weekdays in this IANA zone");
  st->callback(act([&](Backend& b, Printer& p) { return cmd_stats(b, p, stats); }));

  auto* nx = app.add_subcommand("next", "next fire times of a schedule expression (offline)");
  nx->add_option("expression", next.expression,
                 "cron line (\"0 9 * * 1-5\") or --schedule shorthand")
      ->required();
  nx->add_option("--count,-n", next.count, "how many (default 5)");
  opt(nx, "--tz", next.tz, "time zone when the expression names none (default UTC)");
  opt(nx, "--from", next.from, "start instant, RFC 3339 (default now)");
  nx->callback([&] { offline = [&](Printer& p) { return cmd_next(p, next); }; });

  // docs/api.md §16 (plan_commands.cpp)
  PlanOptions plan;
  auto* up = app.add_subcommand("upcoming", "the next runs the scheduler will start for a task");
  with_id(up);
  opt_int(up, "--count,-n", plan.count, "1-100 (default 10)");
  up->callback(act([&](Backend& b, Printer& p) { return cmd_upcoming(b, p, id, plan); }));
  auto* pv = app.add_subcommand("preview", "the runs of a schedule that is not saved (service)");
  pv->add_option("schedule", plan.expression, "as --schedule: cron line, daily:07:30, JSON ...")
      ->required();
  opt_int(pv, "--count,-n", plan.count, "1-100 (default 10)");
  opt(pv, "--tz", plan.tz, "time zone when the schedule names none (default UTC)");
  opt(pv, "--from", plan.from, "start instant, RFC 3339 (default now)");
  pv->callback(act([&](Backend& b, Printer& p) { return cmd_preview(b, p, plan); }));
  auto* cp = app.add_subcommand("completions", "completed occurrences of a recurring todo");
  with_id(cp);
  opt_int(cp, "--limit", plan.limit, "1-1000 (default 100)");
  cp->callback(act([&](Backend& b, Printer& p) { return cmd_completions(b, p, id, plan); }));

  auto* ex = app.add_subcommand("export", "tasks with their executions as JSON Lines");
  ex->add_option("--file,-f", file, "write to this file instead of stdout");
  ex->callback([&] {
    action = [&](Backend& b, Printer&) {
      if (file.empty()) return cmd_export(b, std::cout);
      std::ofstream out(file, std::ios::binary);
      if (!out) throw UsageError("cannot write " + file);
      return cmd_export(b, out);
    };
  });

  auto* im = app.add_subcommand("import", "load JSON Lines written by export (local only)");
  im->add_option("file", file, "file to read (default: stdin)");
  im->callback([&] {
    action = [&](Backend& b, Printer&) {
      auto& report = g.quiet ? std::cout : std::cerr;
      if (file.empty() || file == "-") return cmd_import(b, std::cin, report, g.quiet);
      std::ifstream in(file, std::ios::binary);
      if (!in) throw UsageError("cannot read " + file);
      return cmd_import(b, in, report, g.quiet);
    };
  });

  auto* db = app.add_subcommand("db", "database administration (local only)");
  db->require_subcommand(1);
  auto* migrate = db->add_subcommand("migrate", "apply the schema migrations");
  migrate->callback(
      [&] { action = [&](Backend& b, Printer&) { return cmd_db_migrate(b, std::cout); }; });

  auto* comp = app.add_subcommand("completion", "print a shell completion script");
  comp->add_option("shell", shell, "bash")->check(CLI::IsMember({"bash"}));
  comp->callback([&] {
    offline = [&](Printer&) {
      std::cout << kBashCompletion;
      return 0;
    };
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::cerr << "task-cli: error: " << e.what() << '\n';
    return kUsage;
  }
  try {
    if (!output.empty())
      g.output = output == "json"    ? OutputMode::json
                 : output == "jsonl" ? OutputMode::jsonl
                                     : OutputMode::table;
    if (g.idempotency_key && !keyed)
      throw UsageError("--idempotency-key applies to add, from-template, run and bulk");
    Printer printer(std::cout, resolve_output_mode(g.output, stdout_is_tty()), g.quiet);
    if (offline) return offline(printer);
    auto backend = make_backend(g);
    const int rc = action(*backend, printer);
    std::cout.flush();
    return rc;
  } catch (...) {
    std::cout.flush();
    const auto report = describe_error(std::current_exception());
    std::cerr << "task-cli: error: " << report.message << '\n';
    return report.exit_code;
  }
}
