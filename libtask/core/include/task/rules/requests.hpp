#pragma once
/// Parsing and validation of request bodies and query strings (docs/api.md §7–§11) into typed
/// requests. Pure: every problem becomes a task::ValidationError listing each FieldError found,
/// with locations such as {"body","name"}, {"body","config","location"} or {"query","limit"}.
///
/// Ownership: parsers copy what they need into the requests they return; string_view and JSON
/// arguments are read during the call only. Thread-safety: pure functions; safe from any number of
/// threads.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "task/core/enums.hpp"
#include "task/core/time.hpp"
#include "task/ports/repository.hpp"
#include "task/schedule/schedule.hpp"

namespace task {

/// Query parameters as received, in order; a key may repeat (e.g. `tag`).
using QueryParams = std::vector<std::pair<std::string, std::string>>;

/// Limits of the create/update rules (docs/api.md §7).
inline constexpr std::size_t kMaxNameLength = 255;
inline constexpr std::size_t kMaxDescriptionLength = 10000;
inline constexpr std::size_t kMaxTags = 50;
inline constexpr std::size_t kMaxTagLength = 64;

/// A validated POST /api/v1/tasks body. `config` already carries per-type defaults
/// (reminder `message`, calendar_event `event_time`).
struct CreateTaskRequest {
  std::string name;
  std::optional<std::string> description;
  TaskType task_type = TaskType::todo;
  Priority priority = Priority::medium;
  boost::json::object config;
  std::optional<schedule::Schedule> schedule;
  double credits_per_run = 0;
  std::vector<std::string> tags;
  boost::json::object metadata;
  std::optional<Timestamp> due_date;
  std::optional<Timestamp> reminder_time;
  /// Normalized recurrence (task/rules/recurrence.hpp); todo and reminder only.
  std::optional<boost::json::object> recurrence;
};

/// A validated PUT /api/v1/tasks/{id} body. Outer optional: field present; inner optional
/// (nullable fields only): `null` was sent, which clears the field.
struct UpdateTaskRequest {
  std::optional<std::string> name;
  std::optional<std::optional<std::string>> description;
  std::optional<Priority> priority;
  std::optional<TaskStatus> status;
  std::optional<boost::json::object> config;  ///< re-validated against the task's type on apply
  std::optional<std::optional<schedule::Schedule>> schedule;
  std::optional<double> credits_per_run;
  std::optional<std::vector<std::string>> tags;
  std::optional<boost::json::object> metadata;
  std::optional<std::optional<Timestamp>> due_date;
  std::optional<std::optional<Timestamp>> reminder_time;
  std::optional<Timestamp> next_run_time;
  /// Normalized recurrence; inner nullopt: `null` was sent (the todo stops repeating). Checked
  /// against the task's type and due date on apply.
  std::optional<std::optional<boost::json::object>> recurrence;
};

/// A validated POST /api/v1/tasks/from-template body (flat or `customization` form). Config is
/// the caller's part only; the service merges it over the template's default_config.
struct FromTemplateRequest {
  std::string template_id;
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<Priority> priority;
  boost::json::object config;
  std::optional<schedule::Schedule> schedule;
  std::optional<std::vector<std::string>> tags;
  std::optional<boost::json::object> metadata;
  std::optional<Timestamp> due_date;
  std::optional<Timestamp> reminder_time;
  /// Normalized `recurrence` (docs/api.md §16); its fit (todo/reminder, a due date) is checked
  /// against the template's type.
  std::optional<boost::json::object> recurrence;
  std::vector<std::string> present_fields;  ///< top-level field names the caller sent
};

/// A validated POST /api/v1/tasks/{id}/execute body (docs/api.md §10).
struct ExecuteRequest {
  TriggerType trigger_type = TriggerType::manual;
  boost::json::object trigger_data;
};

/// A validated GET /api/v1/tasks query: the repository query (user_id left empty) plus the echo
/// of the filters for the response.
struct ListTasksRequest {
  TaskQuery query;
  boost::json::object filters;  ///< the filters as given, for the response's `filters`
};

/// A validated `limit`/`offset` pair.
struct PageRequest {
  int limit = 50;
  int offset = 0;
};

/// Parses a create body. `now` anchors interval schedules without start_at.
CreateTaskRequest parse_create_request(const boost::json::value& body, Timestamp now);

/// Parses an update body; `task_id`, `user_id`, `task_type`, `created_at` are `extra_forbidden`.
UpdateTaskRequest parse_update_request(const boost::json::value& body, Timestamp now);

/// Parses a from-template body in the flat or the nested `customization` form (the nested
/// object's fields win over flat ones; their errors are located under {"body","customization"}).
FromTemplateRequest parse_from_template_request(const boost::json::value& body, Timestamp now);

/// Parses an execute body; a null/absent body means a manual run with no trigger data.
ExecuteRequest parse_execute_request(const boost::json::value& body);

/// Parses the list query (§8): status, task_type, priority, tag*, due_before, due_after, q,
/// limit (1–100, default 100), offset (>= 0), cursor (from encode_cursor).
ListTasksRequest parse_list_query(const QueryParams& params);

/// The last value of query parameter `key`; nullptr when absent.
const std::string* query_value(const QueryParams& params, std::string_view key);

/// Integer query parameter `key` in [lo, hi]; `fallback` when absent; ValidationError at
/// {"query", key} otherwise.
int parse_int_param(const QueryParams& params, std::string_view key, int lo, int hi, int fallback);

/// Parses `limit` (1–`max_limit`, default `default_limit`) and `offset` (>= 0).
PageRequest parse_page(const QueryParams& params, int default_limit, int max_limit = 100);

/// Checks one task type's config rules (§7) and returns it with the defaults filled in
/// (reminder `message` = name; calendar_event `event_time` = due_date). `loc` prefixes errors.
boost::json::object validate_config(TaskType type, boost::json::object config,
                                    const std::string& name, std::optional<Timestamp> due_date,
                                    const std::vector<std::string>& loc = {"body", "config"});

/// Trims and validates a name (1–255 after trimming).
std::string validate_name(const boost::json::value& v, const std::vector<std::string>& loc);

/// Trims, dedupes (first occurrence kept) and validates tags.
std::vector<std::string> validate_tags(const boost::json::value& v,
                                       const std::vector<std::string>& loc);

/// The opaque list cursor: base64url (no padding) of `{"c":<created_at µs>,"i":<id>}`.
std::string encode_cursor(const TaskQuery::After& after);

/// Decodes a cursor; nullopt when it is not one encode_cursor could have made.
std::optional<TaskQuery::After> decode_cursor(std::string_view cursor);

/// Builds the new task a create request describes: status `scheduled` with next_run_time =
/// first_fire when a schedule is given, else `pending`. Ids and row id are left for the caller.
Task build_new_task(const CreateTaskRequest& req, std::string task_id, std::string user_id,
                    Timestamp now);

}  // namespace task
