// Upcoming runs, schedule previews (docs/api.md §16 "Upcoming runs") and the completions of a
// recurring todo (§16 "Recurring todos"). The rules live in libtask (task/rules/upcoming.hpp,
// task/rules/recurrence.hpp), shared with task-cli's local mode; the dashboard calls these
// public endpoints. install_routes() calls install_schedule_routes() once.
#include <boost/json.hpp>

#include "server_impl.hpp"
#include "task/core/errors.hpp"
#include "task/rules/recurrence.hpp"
#include "task/rules/requests.hpp"
#include "task/rules/upcoming.hpp"

namespace task::server {

namespace json = boost::json;

void HttpServer::Impl::install_schedule_routes() {
  add("POST", "/api/v1/schedules/preview", "/api/v1/schedules/preview",
      [this](const httplib::Request& req, httplib::Response& res) {
        caller(req);
        const auto body = json_body(req, false);
        send_json(res, 200, upcoming_json(preview_of(body, rt.clock().now())));
      });
  add("GET", R"(/api/v1/tasks/([^/]+)/upcoming)", "/api/v1/tasks/{task_id}/upcoming",
      [this](const httplib::Request& req, httplib::Response& res) {
        const auto c = caller(req);
        std::optional<json::value> q;
        if (req.has_param("count")) q = json::value(req.get_param_value("count"));
        const auto count = upcoming_count(q ? &*q : nullptr, {"query", "count"});
        const auto t = rt.service().get_task(c, req.matches[1].str());
        send_json(res, 200, upcoming_json(upcoming_of(t, rt.clock().now(), count), t.task_id));
      });
  // A recurring todo's completed occurrences, newest first (§16 "Recurring todos").
  add("GET", R"(/api/v1/tasks/([^/]+)/completions)", "/api/v1/tasks/{task_id}/completions",
      [this](const httplib::Request& req, httplib::Response& res) {
        const auto c = caller(req);
        const int limit = parse_int_param(query_params(req), "limit", 1, 1000, 100);
        json::array out;
        for (const auto& x : rt.service().list_completions(c, req.matches[1].str(), limit))
          out.push_back(completion_json(x));
        send_json(res, 200, out);
      });
}

}  // namespace task::server
