#pragma once
/// The wire text of the records written straight from the structs, without building a
/// boost::json::value tree first (the HTTP responses of the hot paths). Byte for byte the text of
/// `to_json_text(boost::json::value_from(record))` (task/codec/json_codec.hpp).
///
/// Ownership: returns new strings. Thread-safety: pure functions.
#include <string>
#include <vector>

#include "task/domain/model.hpp"

namespace task {

struct TaskList;

std::string to_json_text(const Task& t);
std::string to_json_text(const Execution& e);
/// A JSON array of executions (GET /api/v1/tasks/{id}/executions).
std::string to_json_text(const std::vector<Execution>& list);
/// The page object of GET /api/v1/tasks (docs/api.md §8).
std::string to_json_text(const TaskList& list);

}  // namespace task
