#pragma once
/// Plain option structs filled by the command-line parser (main.cpp) and read by the commands.
/// Kept free of CLI11 so that only main.cpp pays for that header.
#include <optional>
#include <string>
#include <vector>

namespace task::cli {

/// How results are printed.
enum class OutputMode { table, json, jsonl };

/// Options shared by every command.
struct GlobalOptions {
  std::string db;                    ///< local database URL (sqlite:///..., postgresql://...)
  std::string data_dir;              ///< data directory of the default SQLite file
  std::string server;                ///< remote server URL; non-empty = remote mode
  std::string user;                  ///< acting user
  std::string token;                 ///< bearer token (remote)
  std::string internal_secret;       ///< internal service secret (remote)
  std::optional<OutputMode> output;  ///< nullopt = table on a terminal, json otherwise
  bool quiet = false;                ///< print ids only
  /// Idempotency-Key of the keyed POSTs (add, from-template, run, bulk; docs/api.md §16).
  std::optional<std::string> idempotency_key;
};

/// Fields shared by `add` and `edit` (each optional: only what was given is sent).
struct TaskFields {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<std::string> task_type;
  std::optional<std::string> priority;
  std::optional<std::string> status;
  std::optional<std::string> schedule;  ///< shorthand or JSON text
  std::optional<std::string> every;     ///< interval: 15m, 1h30m, 90s ...
  std::optional<std::string> at;        ///< once: an RFC 3339 instant
  std::optional<std::string> tz;        ///< time zone for --schedule/--every/--at
  std::optional<std::string> due;
  std::optional<std::string> remind;
  std::optional<std::string> next_run;
  std::vector<std::string> tags;
  bool tags_given = false;
  std::vector<std::string> config;  ///< key=value
  std::optional<std::string> config_json;
  std::optional<std::string> metadata_json;
  std::optional<double> credits;
  std::optional<std::string> recur;   ///< recurrence schedule (shorthand or JSON), todo/reminder
  std::optional<std::string> anchor;  ///< recurrence anchor: due | completion
  // edit only: clear nullable fields
  bool clear_description = false;
  bool clear_schedule = false;
  bool clear_due = false;
  bool clear_remind = false;
  bool clear_tags = false;
  bool clear_recur = false;
};

/// `list` filters (docs/api.md §8).
struct ListOptions {
  std::optional<std::string> status, task_type, priority, due_before, due_after, q, cursor;
  std::vector<std::string> tags;
  std::optional<int> limit, offset;
  bool all = false;  ///< follow next_cursor to the end
};

/// `runs` paging.
struct PageOptions {
  std::optional<int> limit, offset;
};

/// `templates` filters.
struct TemplateOptions {
  std::optional<std::string> category, task_type;
};

/// `stats` options.
struct StatsOptions {
  std::optional<int> days;
  std::optional<std::string> tz;
};

/// `next` options.
struct NextOptions {
  std::string expression;
  int count = 5;
  std::optional<std::string> tz;
  std::optional<std::string> from;
};

/// `upcoming`, `preview` and `completions` options.
struct PlanOptions {
  std::string expression;           ///< preview: the schedule (as --schedule)
  std::optional<int> count;         ///< upcoming/preview: 1-100 (server default 10)
  std::optional<int> limit;         ///< completions: 1-1000 (default 100)
  std::optional<std::string> tz;    ///< preview: zone when the expression names none
  std::optional<std::string> from;  ///< preview: start instant (RFC 3339)
};

/// `bulk` options: the action and either task ids or a filter (docs/api.md §16).
struct BulkOptions {
  std::string action;
  std::vector<std::string> task_ids;
  std::optional<std::string> ids_file;  ///< ids one per line ("-" = stdin)
  ListOptions filter;                   ///< the §8 filters (limit/offset/cursor/all unused)
};

/// `run` options.
struct RunOptions {
  std::optional<std::string> trigger_type;
  std::optional<std::string> trigger_data_json;
  int wait_seconds = 300;  ///< how long to wait for the outcome before giving up
};

}  // namespace task::cli
