#pragma once
/// The one JSON codec (Boost.JSON tag_invoke) for the domain types: the exact field names of
/// docs/api.md §3. It serves HTTP, the CLI, events and exports alike.
///
///   boost::json::value v = boost::json::value_from(task);   // Task -> JSON
///   Task t = boost::json::value_to<Task>(v);                 // JSON -> Task (round trip)
///
/// Decoding (`value_to`) reads the wire representation back (CLI remote mode, import); it throws
/// task::ValidationError (loc {"body", field}) for a missing or mistyped field. Internal
/// bookkeeping (version, lease, reminder_sent_at) is not part of the wire form.
///
/// Ownership: encoders build new JSON values the caller owns; decoders return new domain values;
/// nothing refers back to its input. Thread-safety: pure functions; safe from any number of
/// threads.
#include <boost/json/conversion.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>

#include "task/domain/model.hpp"

namespace task {

struct TaskList;

void tag_invoke(boost::json::value_from_tag, boost::json::value& out, const Task& t);
Task tag_invoke(boost::json::value_to_tag<Task>, const boost::json::value& v);

void tag_invoke(boost::json::value_from_tag, boost::json::value& out, const Execution& e);
Execution tag_invoke(boost::json::value_to_tag<Execution>, const boost::json::value& v);

void tag_invoke(boost::json::value_from_tag, boost::json::value& out, const Template& t);
Template tag_invoke(boost::json::value_to_tag<Template>, const boost::json::value& v);

void tag_invoke(boost::json::value_from_tag, boost::json::value& out, const Analytics& a);
Analytics tag_invoke(boost::json::value_to_tag<Analytics>, const boost::json::value& v);

/// The page object of `GET /api/v1/tasks` (docs/api.md §8): tasks, count, total, limit, offset,
/// next_cursor, filters — the same for task-server and task-cli.
void tag_invoke(boost::json::value_from_tag, boost::json::value& out, const TaskList& list);

/// The CloudEvents 1.0 JSON envelope of an event (docs/api.md §14): specversion, id,
/// source = "task_service", type, time, datacontenttype, data.
boost::json::object to_cloudevent(const Event& e);
/// Reads an envelope back; nullopt when it is not a CloudEvents 1.0 envelope of this service.
std::optional<Event> from_cloudevent(const boost::json::value& v);

/// Optional timestamps as RFC 3339 text or null.
boost::json::value timestamp_or_null(const std::optional<Timestamp>& t);

/// Serializes with doubles in plain notation when they are integral (Boost.JSON writes
/// `1.5E0`; our numbers are `1.5`, and `2` for integral credits).
std::string to_json_text(const boost::json::value& v);

}  // namespace task
