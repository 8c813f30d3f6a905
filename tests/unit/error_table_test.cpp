// libtask's one error table (task/rules/error_table.hpp): every row's kind, status and body, as
// task-server answers and the C ABI returns them (docs/api.md "Errors").
#include "task/rules/error_table.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <stdexcept>

#include "task/core/errors.hpp"

namespace json = boost::json;
using task::ErrorKind;

namespace {

template <class E>
task::ErrorRow row_of(E e) {
  return task::error_row(std::make_exception_ptr(std::move(e)));
}

void check_row(const task::ErrorRow& r, ErrorKind kind, int status, const char* body) {
  CHECK(task::error_kind_name(r.kind) == std::string(task::error_kind_name(kind)));
  CHECK(r.http_status == status);
  CHECK(task::http_status_of(kind) == status);
  CHECK(json::value(r.body) == json::parse(body));
}

}  // namespace

TEST_CASE("error table: every row of the core's errors", "[errors]") {
  check_row(row_of(task::NotFound("task", "tsk_1")), ErrorKind::not_found, 404,
            R"({"detail":"Task not found","task_id":"tsk_1"})");
  check_row(row_of(task::NotFound("template", "tpl_1")), ErrorKind::not_found, 404,
            R"({"detail":"Template not found","template_id":"tpl_1"})");
  check_row(row_of(task::NotFound("execution", "exe_1")), ErrorKind::not_found, 404,
            R"({"detail":"Execution not found","execution_id":"exe_1"})");
  check_row(row_of(task::ValidationError({{{"body", "name"}, "Field required", "missing"},
                                          {{"query", "limit"}, "too big", "value_error"}})),
            ErrorKind::validation, 422,
            R"({"detail":[{"loc":["body","name"],"msg":"Field required","type":"missing"},
                          {"loc":["query","limit"],"msg":"too big","type":"value_error"}]})");
  check_row(row_of(task::UpgradeRequired("premium")), ErrorKind::upgrade_required, 403,
            R"({"detail":"Subscription upgrade required","required_level":"premium"})");
  check_row(row_of(task::PermissionDenied("scheduler")), ErrorKind::permission, 403,
            R"({"detail":"Permission denied","action":"scheduler"})");
  check_row(row_of(task::Conflict("completed", "running")), ErrorKind::conflict, 409,
            R"({"detail":"Invalid status transition","from":"completed","to":"running"})");
  check_row(row_of(task::PreconditionFailed("\"3\"")), ErrorKind::precondition, 412,
            R"({"detail":"Precondition failed","etag":"\"3\""})");
  const auto quota = row_of(task::LimitExceeded("executions_per_day", 10));
  check_row(quota, ErrorKind::quota, 429,
            R"({"detail":"Task limit exceeded","limit_type":"executions_per_day","limit":10})");
  CHECK(quota.limit_type == "executions_per_day");
  CHECK(quota.limit == 10);
  check_row(row_of(task::Unreadable("task_executions", "exe_9", "bad json")), ErrorKind::unreadable,
            500,
            R"({"detail":"Stored data cannot be read","error_code":"STORED_DATA_UNREADABLE",
                "execution_id":"exe_9"})");
  check_row(row_of(task::Unreadable("user_tasks", "tsk_9", "bad json")), ErrorKind::unreadable, 500,
            R"({"detail":"Stored data cannot be read","error_code":"STORED_DATA_UNREADABLE",
                "task_id":"tsk_9"})");
}

TEST_CASE("error table: internals stay in the message, never in the body", "[errors]") {
  const auto down = row_of(task::Unavailable("db down: password=secret"));
  check_row(down, ErrorKind::unavailable, 503, R"({"detail":"Service unavailable"})");
  CHECK(down.message == "db down: password=secret");
  const auto boom = row_of(std::runtime_error("pointer 0xdead in foo.cpp"));
  check_row(boom, ErrorKind::internal, 500, R"({"detail":"Internal server error"})");
  CHECK(boom.message == "pointer 0xdead in foo.cpp");
  const auto odd = task::error_row(std::make_exception_ptr(42));
  check_row(odd, ErrorKind::internal, 500, R"({"detail":"Internal server error"})");
  CHECK(odd.message == "non-standard exception");
  CHECK(std::string(task::error_kind_name(ErrorKind::unreadable)) == "unreadable");
}
