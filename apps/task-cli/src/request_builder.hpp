#pragma once
/// Pure translation of command-line values into the JSON bodies of the HTTP API (docs/api.md §7,
/// §9, §12). Throws UsageError for text the command line cannot mean; the service validates the
/// rest.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "options.hpp"

namespace task::cli {

/// Parses a schedule given on the command line into the API's schedule object:
///   `cron:0 7 * * 1-5@Europe/Berlin`, a bare 5-field cron line or `@daily`,
///   `daily:07:30[@tz]`, `weekly:monday@07:30[@tz]`, `monthly:1@07:30[@tz]`,
///   `once:2026-12-01T09:00[@tz]`, `every:15m` / `interval:15m`, or JSON object text.
/// `tz` (from --tz) is used when the text names no zone.
boost::json::object parse_schedule_arg(std::string_view text,
                                       const std::optional<std::string>& tz = std::nullopt);

/// Seconds of a duration such as `90`, `90s`, `15m`, `2h`, `1d`, `1h30m`.
std::int64_t parse_duration_seconds(std::string_view text);

/// A config value: JSON when it parses (`19.99`, `true`, `["a"]`, `{"x":1}`), else the string.
boost::json::value parse_config_value(std::string_view text);

/// Applies `key=value` pairs to `config` (later pairs win).
void apply_config_pairs(boost::json::object& config, const std::vector<std::string>& pairs);

/// The schedule implied by --schedule / --every / --at (at most one), or nullopt.
std::optional<boost::json::object> schedule_from_fields(const TaskFields& f);

/// The POST /api/v1/tasks body for `add`.
boost::json::object build_create_body(const TaskFields& f);

/// The PUT /api/v1/tasks/{id} body for `edit`. `current_config` is the task's config, merged with
/// --config pairs when no --config-json replaces it. Throws UsageError when nothing is to change.
boost::json::object build_update_body(const TaskFields& f,
                                      const boost::json::object& current_config);

/// The POST /api/v1/tasks/from-template body.
boost::json::object build_from_template_body(const std::string& template_id, const TaskFields& f);

/// Parses JSON object text given to a flag (`--config-json`), naming the flag on error.
boost::json::object parse_json_object_arg(std::string_view text, std::string_view flag);

}  // namespace task::cli
