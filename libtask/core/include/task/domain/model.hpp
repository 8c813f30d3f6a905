#pragma once
/// The value types of the domain (docs/api.md §3). Plain structs; nullable fields are
/// std::optional; JSON-shaped fields (config, metadata, results) are Boost.JSON values.
///
/// Ownership: Task, Execution, Template, Event and Analytics are plain values that own all their
/// fields (strings, JSON objects); copies are independent. Thread-safety: like any value type —
/// concurrent reads are safe, a write needs exclusive access.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "task/core/enums.hpp"
#include "task/core/time.hpp"

namespace task {

/// A user's task: a todo-family item or an automation with a schedule.
struct Task {
  std::int64_t id = 0;  ///< storage row id; 0 until inserted
  std::string task_id;  ///< `tsk_` + 24 hex
  std::string user_id;
  std::string name;
  std::optional<std::string> description;
  TaskType task_type = TaskType::todo;
  TaskStatus status = TaskStatus::pending;
  Priority priority = Priority::medium;
  boost::json::object config;
  std::optional<boost::json::object> schedule;  ///< normalized schedule (see schedule.hpp)
  double credits_per_run = 0;
  std::vector<std::string> tags;
  boost::json::object metadata;

  std::optional<Timestamp> next_run_time;
  std::optional<Timestamp> last_run_time;
  std::optional<Timestamp> last_success_time;
  std::optional<std::string> last_error;
  boost::json::value last_result;  ///< null when none

  std::int64_t run_count = 0;
  std::int64_t success_count = 0;
  std::int64_t failure_count = 0;
  double total_credits_consumed = 0;

  std::optional<Timestamp> due_date;
  std::optional<Timestamp> reminder_time;
  bool is_completed = false;
  std::optional<Timestamp> completed_at;
  /// A todo/reminder that repeats (docs/api.md §16 "Recurring todos"): a normalized schedule
  /// object (any kind but `once`) plus `"anchor":"due"|"completion"`; nullopt when it does not.
  std::optional<boost::json::object> recurrence;

  Timestamp created_at{};
  Timestamp updated_at{};
  std::optional<Timestamp> deleted_at;

  // Not part of the JSON contract: storage bookkeeping.
  std::int64_t version = 1;                   ///< bumped on every write; the ETag
  std::optional<std::string> lease_owner;     ///< scheduler replica holding the claim
  std::optional<Timestamp> lease_expires_at;  ///< claim expiry; reclaimable after it
  std::optional<Timestamp> reminder_sent_at;  ///< set once the reminder fired
};

/// One run of a task.
struct Execution {
  std::int64_t id = 0;
  std::string execution_id;  ///< `exe_` + 24 hex
  std::string task_id;
  std::string user_id;
  ExecutionStatus status = ExecutionStatus::running;
  TriggerType trigger_type = TriggerType::manual;
  boost::json::object trigger_data;
  std::optional<Timestamp> scheduled_for;  ///< the schedule slot; null for manual runs
  boost::json::value result;               ///< null when none
  std::optional<std::string> error_message;
  boost::json::value error_details;  ///< null when none
  double credits_consumed = 0;
  std::optional<std::int64_t> tokens_used;
  std::int64_t api_calls_made = 0;
  std::optional<std::int64_t> duration_ms;
  Timestamp started_at{};
  std::optional<Timestamp> completed_at;
  Timestamp created_at{};
};

/// One completed occurrence of a recurring todo (docs/api.md §16): the due date it had and when
/// it was completed. Written in the same transaction as the task that moves on.
struct Completion {
  std::string task_id;
  std::string user_id;
  std::optional<Timestamp> due_date;
  Timestamp completed_at{};
};

/// A pre-configured task, gated by subscription level.
struct Template {
  std::int64_t id = 0;
  std::string template_id;
  std::string name;
  std::optional<std::string> description;
  TemplateCategory category = TemplateCategory::custom;
  TaskType task_type = TaskType::custom;
  boost::json::object default_config;
  std::vector<std::string> required_fields;
  std::vector<std::string> optional_fields;
  boost::json::object config_schema;
  SubscriptionLevel required_subscription_level = SubscriptionLevel::free;
  double credits_per_run = 0;
  std::vector<std::string> tags;
  boost::json::object metadata;
  bool is_active = true;
  Timestamp created_at{};
  Timestamp updated_at{};
};

/// Per-user analytics (docs/api.md §3).
struct Analytics {
  std::string user_id;
  std::string time_period;  ///< "Last N days"
  std::int64_t total_tasks = 0;
  std::int64_t active_tasks = 0;
  std::int64_t completed_tasks = 0;
  std::int64_t failed_tasks = 0;
  std::int64_t paused_tasks = 0;
  std::int64_t total_executions = 0;
  std::int64_t successful_executions = 0;
  std::int64_t failed_executions = 0;
  double success_rate = 0;            ///< percent, 2 decimals
  double average_execution_time = 0;  ///< seconds, 2 decimals
  double total_credits_consumed = 0;
  std::int64_t total_tokens_used = 0;
  std::int64_t total_api_calls = 0;
  std::map<std::string, std::int64_t> task_types_distribution;
  std::vector<int> busiest_hours;         ///< up to 5 hours 0-23
  std::vector<std::string> busiest_days;  ///< up to 5 English weekday names
  Timestamp created_at{};
};

/// A domain event; written to the outbox with the change that caused it, then relayed.
struct Event {
  std::string id;    ///< CloudEvents id, unique
  std::string type;  ///< "task.created", "task.updated", ... (subject = "task_service." + type)
  Timestamp time{};
  std::string task_id;
  std::string user_id;
  boost::json::object data;
  /// W3C Trace Context of the work that caused the event (CloudEvents distributed-tracing
  /// extension): `00-<trace id>-<span id>-<flags>`, "" when there was none.
  std::string traceparent;
  std::string tracestate;  ///< passed on unchanged; "" when none
};

/// The NATS subject of an event: `task_service.task.created` etc.
inline std::string event_subject(const Event& e) {
  return "task_service." + e.type;
}

}  // namespace task
