// Fuzzes the request bodies of POST /api/v1/tasks, PUT /api/v1/tasks/{id},
// POST /api/v1/tasks/from-template and POST /api/v1/tasks/{id}/execute: the same JSON parse as
// task-server, then each parser. (There is no bulk endpoint yet.) Properties: only
// task::ValidationError escapes; an accepted create respects the documented limits and the task
// it builds survives the wire codec (encode -> decode -> encode gives the same text); accepted
// config, metadata and trigger_data read back equal from the text the store and the API write.
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>
#include <optional>

#include "support.hpp"
#include "task/codec/json_codec.hpp"
#include "task/core/errors.hpp"
#include "task/rules/requests.hpp"

namespace json = boost::json;
using namespace task;

namespace {

/// An accepted JSON value must be one the store and the API can write and read back.
void check_storable(const json::value& v, std::string_view field) {
  if (fuzz::has_non_finite(v)) {
    fuzz::known_finding(1, std::string(field) + " accepts a number that overflows a double");
    return;
  }
  const auto text = json::serialize(v);  // the store's JSON column text
  const auto back = fuzz::parse_json(text);
  fuzz::check(back && fuzz::same_json(*back, v), "stored JSON text reads back different", text);
  const auto wire = to_json_text(v);  // the HTTP answer's writer
  const auto wire_back = fuzz::parse_json(wire);
  fuzz::check(wire_back && fuzz::same_json(*wire_back, v), "to_json_text changes the value", wire);
}

/// What `parse()` returns, or nullopt after checking that the ValidationError it threw names its
/// errors.
template <class Parse>
auto accepted(Parse parse) -> std::optional<decltype(parse())> {
  try {
    return parse();
  } catch (const ValidationError& e) {
    fuzz::check(!e.errors.empty(), "ValidationError without errors");
    return std::nullopt;
  }
}

void check_create(const json::value& body) {
  const auto parsed_req = accepted([&] { return parse_create_request(body, fuzz::fixed_now()); });
  if (!parsed_req) return;
  const auto& req = *parsed_req;
  fuzz::check(!req.name.empty() && req.name.size() <= kMaxNameLength, "name limits", req.name);
  fuzz::check(req.tags.size() <= kMaxTags, "tag count");
  for (const auto& t : req.tags)
    fuzz::check(!t.empty() && t.size() <= kMaxTagLength, "tag limits", t);
  check_storable(req.config, "config");
  check_storable(req.metadata, "metadata");
  const Task task =
      build_new_task(req, "tsk_000000000000000000000001", "fuzz-user", fuzz::fixed_now());
  if (fuzz::has_non_finite(task.config) || fuzz::has_non_finite(task.metadata)) return;
  if (fuzz::outside_rfc3339_years(task.next_run_time) ||
      fuzz::outside_rfc3339_years(task.due_date) ||
      fuzz::outside_rfc3339_years(task.reminder_time) ||
      (req.schedule && (fuzz::outside_rfc3339_years(req.schedule->start_at) ||
                        fuzz::outside_rfc3339_years(req.schedule->end_at) ||
                        fuzz::outside_rfc3339_years(req.schedule->run_at)))) {
    fuzz::known_finding(6, "a create body with an instant outside years 0001-9999 is accepted");
    return;
  }
  const auto text = to_json_text(json::value_from(task));
  const auto parsed = fuzz::parse_json(text);
  fuzz::check(parsed.has_value(), "a created task's JSON does not parse", text);
  Task back;
  try {
    back = json::value_to<Task>(*parsed);
  } catch (const ValidationError& e) {
    fuzz::fail("a created task's JSON does not decode", std::string(e.what()) + " in " + text);
  }
  // Equal values (a number's kind may change: -0.0 is written `-0` and read back as 0), and the
  // text is stable from the second round on.
  const auto again = to_json_text(json::value_from(back));
  const auto again_parsed = fuzz::parse_json(again);
  fuzz::check(again_parsed && fuzz::same_json(*again_parsed, *parsed),
              "task JSON round trip changes a value", text + "\n   vs " + again);
  fuzz::check(to_json_text(json::value_from(json::value_to<Task>(*again_parsed))) == again,
              "task JSON text not stable", again);
}

void check_update(const json::value& body) {
  const auto parsed_req = accepted([&] { return parse_update_request(body, fuzz::fixed_now()); });
  if (!parsed_req) return;
  const auto& req = *parsed_req;
  if (req.config) check_storable(*req.config, "update config");
  if (req.metadata) check_storable(*req.metadata, "update metadata");
  if (req.name) fuzz::check(!req.name->empty() && req.name->size() <= kMaxNameLength, "name");
}

void check_from_template(const json::value& body) {
  const auto parsed_req =
      accepted([&] { return parse_from_template_request(body, fuzz::fixed_now()); });
  if (!parsed_req) return;
  const auto& req = *parsed_req;
  fuzz::check(!req.template_id.empty(), "from-template without template_id");
  check_storable(req.config, "from-template config");
  if (req.metadata) check_storable(*req.metadata, "from-template metadata");
}

void check_execute(const json::value& body) {
  const auto parsed_req = accepted([&] { return parse_execute_request(body); });
  if (!parsed_req) return;
  const auto& req = *parsed_req;
  check_storable(req.trigger_data, "trigger_data");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto body = fuzz::parse_json(fuzz::as_text(data, size));
  if (!body) return 0;  // task-server answers 422 json_invalid before any parser runs
  check_create(*body);
  check_update(*body);
  check_from_template(*body);
  check_execute(*body);
  check_execute(nullptr);
  return 0;
}
