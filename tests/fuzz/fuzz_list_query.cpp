// Fuzzes GET /api/v1/tasks query strings: split and percent-decoded by cpp-httplib's own query
// parser (as task-server receives them), then parse_list_query and parse_page; and the opaque
// cursor on its own. Properties: only task::ValidationError escapes; accepted limit/offset are in
// range; a cursor that decodes re-encodes to one that decodes to the same position.
#include <httplib.h>

#include "support.hpp"
#include "task/core/errors.hpp"
#include "task/rules/requests.hpp"

using namespace task;

namespace {

void check_cursor_round_trip(const TaskQuery::After& after) {
  const auto text = encode_cursor(after);
  const auto back = decode_cursor(text);
  fuzz::check(back.has_value(), "encode_cursor made a cursor decode_cursor refuses", text);
  fuzz::check(back->created_at == after.created_at && back->id == after.id,
              "cursor round trip moved the position", text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(fuzz::as_text(data, size));
  httplib::Params parsed;
  httplib::detail::parse_query_text(text, parsed);
  QueryParams params(parsed.begin(), parsed.end());  // what task-server's query_params() builds

  try {
    const auto req = parse_list_query(params);
    fuzz::check(req.query.limit >= 1 && req.query.limit <= 100, "list limit out of range");
    fuzz::check(req.query.offset >= 0, "negative offset");
    if (req.query.after) check_cursor_round_trip(*req.query.after);
  } catch (const ValidationError& e) {
    fuzz::check(!e.errors.empty(), "ValidationError without errors");
  }
  try {
    const auto page = parse_page(params, 50, 100);
    fuzz::check(page.limit >= 1 && page.limit <= 100 && page.offset >= 0, "page out of range");
  } catch (const ValidationError& e) {
    fuzz::check(!e.errors.empty(), "ValidationError without errors");
  }
  if (const auto after = decode_cursor(text)) check_cursor_round_trip(*after);
  return 0;
}
