// POST /api/v1/tasks/bulk (docs/api.md §16; the decisions in docs/api.md Part 2, "Bulk
// operations"): the HTTP shell of libtask's bulk operation (task/service/bulk.hpp, shared with
// task-cli's local mode). A `run` is queued on the worker pool like a single execute.
#include "task/service/bulk.hpp"

#include "server_impl.hpp"

namespace task::server {

void HttpServer::Impl::bulk(const Caller& who, const httplib::Request& req,
                            httplib::Response& res) {
  const auto request = parse_bulk_request(json_body(req, false));
  // Every run checks the execution quota: look the level up once for the batch, not per task.
  Caller c = who;
  if (request.action == "run") c.level = rt.service().level_of(who);
  auto outcome = run_bulk(rt.service(), c, request, [&](const std::string& id) {
    StartedRun started;
    launch_run(c, id, nullptr, started);  // queued; the result lands in /executions
    return started;
  });
  if (!outcome.internal_error.empty()) current_request().error_log = outcome.internal_error;
  if (outcome.changed > 0) rt.after_write();
  send_json(res, 200, outcome.body);
}

}  // namespace task::server
