// The routes of docs/api.md §6: each parses the request, calls the TaskService, writes JSON.
#include <boost/json.hpp>
#include <future>

#include "error_table.hpp"
#include "health.hpp"
#include "live_metrics.hpp"
#include "server_impl.hpp"
#include "task/codec/json_codec.hpp"
#include "task/codec/json_text.hpp"
#include "task/core/errors.hpp"
#include "task/core/trace_context.hpp"
#include "task/rules/query_int.hpp"
#include "task/rules/status.hpp"
#include "task/runtime/log.hpp"
#include "ui_routes.hpp"

namespace task::server {

namespace json = boost::json;

namespace {

constexpr const char* kTaskId = R"(/api/v1/tasks/([^/]+))";

/// X-Total-Count of /scheduler/pending counts due tasks up to this many (a larger backlog says
/// this number: "at least").
constexpr int kMaxPendingCount = 10000;

void send_task(httplib::Response& res, int status, const Task& t) {
  res.set_header("ETag", etag_of(t));
  send_json_text(res, status, to_json_text(t));
}

json::object totals_json(const ExecutionTotals& t) {
  return {{"total", t.total},
          {"successful", t.successful},
          {"failed", t.failed},
          {"average_duration_ms", t.average_duration_ms},
          {"credits_consumed", t.credits},
          {"tokens_used", t.tokens},
          {"api_calls", t.api_calls}};
}

json::value stats_json(const ServiceStats& s) {
  json::object by_status, by_type;
  std::int64_t total = 0;
  for (const auto& [k, n] : s.tasks.by_status) {
    by_status[std::string(to_string(k))] = n;
    total += n;
  }
  for (const auto& [k, n] : s.tasks.by_type)
    by_type[std::string(to_string(k))] = n;
  return json::object{{"tasks", {{"total", total}, {"by_status", by_status}, {"by_type", by_type}}},
                      {"executions",
                       {{"last_1_day", totals_json(s.last_1_day)},
                        {"last_7_days", totals_json(s.last_7_days)},
                        {"last_30_days", totals_json(s.last_30_days)}}},
                      {"credits_consumed_last_30_days", s.last_30_days.credits},
                      {"scheduler_lag_seconds", s.scheduler_lag_seconds},
                      {"outbox_backlog", s.outbox_backlog},
                      {"generated_at", format_rfc3339(s.generated_at)}};
}

/// `wait_ms` of the execute endpoint: 0..max, default 30000.
int wait_ms_of(const httplib::Request& req, int max_wait) {
  return static_cast<int>(query_int(query_param(req, "wait_ms"), "wait_ms", 0, max_wait, 30000));
}

}  // namespace

void HttpServer::Impl::install_routes() {
  add("GET", "/health", "/health", [this](const httplib::Request&, httplib::Response& res) {
    send_json(res, 200, basic_health(rt, port, options.version));
  });
  add("GET", "/health/detailed", "/health/detailed",
      [this](const httplib::Request&, httplib::Response& res) {
        auto report = detailed_health(rt, port, options.version);
        send_json(res, report.database_up ? 200 : 503, report.body);
      });
  add("GET", "/metrics", "/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.status = 200;
    std::string text = metrics.render() + to_prometheus(http.counters);
    if (auto* sched = rt.scheduler()) text += render_scheduler_metrics(sched->metrics());
    text += live_metrics(rt);
    text += idempotency.render_metrics();
    text +=
        "# HELP task_store_unreadable_rows_total Stored rows skipped by listings and scheduler "
        "rounds because they could not be decoded.\n"
        "# TYPE task_store_unreadable_rows_total counter\ntask_store_unreadable_rows_total " +
        std::to_string(rt.repository().unreadable_rows()) + "\n";
    res.set_content(text, "text/plain; version=0.0.4; charset=utf-8");
  });
  add("GET", "/openapi.json", "/openapi.json", [](const httplib::Request&, httplib::Response& res) {
    res.status = 200;
    res.set_content(kOpenApiJson, "application/json");
  });

  // POST `path`: a create (Idempotency-Key applies) answering 201 with the task `create` made.
  auto add_create = [this](const char* path,
                           Task (TaskService::*create)(const Caller&, const json::value&)) {
    add("POST", path, path,
        [this, path, create](const httplib::Request& req, httplib::Response& res) {
          const auto c = caller(req);
          idempotency.run(c, path, req, res, {}, [&] {
            send_task(res, 201, (rt.service().*create)(c, json_body(req, false)));
            rt.after_write();
          });
        });
  };
  add_create("/api/v1/tasks", &TaskService::create_task);
  add("GET", "/api/v1/tasks", "/api/v1/tasks",
      [this](const httplib::Request& req, httplib::Response& res) {
        const auto c = caller(req);
        send_json_text(res, 200, to_json_text(rt.service().list_tasks(c, query_params(req))));
      });
  add_create("/api/v1/tasks/from-template", &TaskService::create_from_template);
  add("POST", "/api/v1/tasks/bulk", "/api/v1/tasks/bulk",
      [this](const httplib::Request& req, httplib::Response& res) {
        const auto c = caller(req);
        idempotency.run(c, "/api/v1/tasks/bulk", req, res, {}, [&] { bulk(c, req, res); });
      });
  add("GET", kTaskId, "/api/v1/tasks/{task_id}",
      [this](const httplib::Request& req, httplib::Response& res) {
        const auto c = caller(req);
        send_task(res, 200, rt.service().get_task(c, req.matches[1].str()));
      });
  add("PUT", kTaskId, "/api/v1/tasks/{task_id}",
      [this](const httplib::Request& req, httplib::Response& res) {
        const auto c = caller(req);
        std::optional<std::string> if_match;
        if (req.has_header("If-Match")) if_match = req.get_header_value("If-Match");
        auto updated =
            rt.service().update_task(c, req.matches[1].str(), json_body(req, false), if_match);
        send_task(res, 200, updated.task);
        if (!updated.updated_fields.empty()) rt.after_write();
      });
  add("DELETE", kTaskId, "/api/v1/tasks/{task_id}",
      [this](const httplib::Request& req, httplib::Response& res) {
        const auto c = caller(req);
        const auto t = rt.service().delete_task(c, req.matches[1].str());
        send_json(res, 200,
                  json::object{{"message", "Task deleted successfully"}, {"task_id", t.task_id}});
        rt.after_write();
      });
  add("POST", R"(/api/v1/tasks/([^/]+)/execute)", "/api/v1/tasks/{task_id}/execute",
      [this](const httplib::Request& req, httplib::Response& res) {
        const auto c = caller(req);
        const int wait_ms = wait_ms_of(req, options.max_wait_ms);
        idempotency.run(c, "/api/v1/tasks/{task_id}/execute", req, res,
                        std::chrono::milliseconds(wait_ms), [&] { execute(c, wait_ms, req, res); });
      });
  add("GET", R"(/api/v1/tasks/([^/]+)/executions)", "/api/v1/tasks/{task_id}/executions",
      [this](const httplib::Request& req, httplib::Response& res) {
        const auto c = caller(req);
        auto list = rt.service().list_executions(c, req.matches[1].str(), query_params(req));
        res.set_header("X-Total-Count", std::to_string(list.total));
        send_json_text(res, 200, to_json_text(list.executions));
      });
  add("GET", "/api/v1/templates", "/api/v1/templates",
      [this](const httplib::Request& req, httplib::Response& res) {
        const auto c = caller(req);
        json::array out;
        for (const auto& t : rt.service().list_templates(c, query_params(req)))
          out.push_back(json::value_from(t));
        send_json(res, 200, out);
      });
  add("GET", "/api/v1/analytics", "/api/v1/analytics",
      [this](const httplib::Request& req, httplib::Response& res) {
        const auto c = caller(req);
        send_json(res, 200, json::value_from(rt.service().analytics(c, query_params(req))));
      });
  add("GET", "/api/v1/scheduler/pending", "/api/v1/scheduler/pending",
      [this](const httplib::Request& req, httplib::Response& res) {
        const auto c = caller(req, false);
        const auto params = query_params(req);
        const auto due = rt.service().pending_tasks(c, params);  // 403/422 first
        json::array out;
        for (const auto& t : due)
          out.push_back(json::value_from(t));
        // The earlier service's shape (docs/api.md §16): an array; the number due in all in a
        // header. A short page is all there is; a full one is counted (up to kMaxPendingCount).
        // pending_tasks validated `limit` (1-100, default 100) the same way.
        const auto asked =
            static_cast<std::size_t>(query_int(query_param(req, "limit"), "limit", 1, 100, 100));
        auto total = due.size();
        if (total >= asked)
          total = std::max(
              total, rt.repository().list_due_tasks(rt.clock().now(), kMaxPendingCount).size());
        res.set_header("X-Total-Count", std::to_string(total));
        send_json(res, 200, out);
      });
  add("POST", R"(/api/v1/scheduler/execute/([^/]+))", "/api/v1/scheduler/execute/{task_id}",
      [this](const httplib::Request& req, httplib::Response& res) {
        if (!caller(req, false).internal) throw PermissionDenied("scheduler.execute");
        auto* scheduler = rt.scheduler();
        if (!scheduler) throw Unavailable("the server is shutting down");
        const auto execution = scheduler->run_due(req.matches[1].str());
        rt.after_write();
        metrics.observe_execution(std::string(to_string(execution.status)));
        send_json(res, 200,
                  json::object{{"message", "Task executed"},
                               {"execution_id", execution.execution_id},
                               {"status", std::string(to_string(execution.status))}});
      });
  add("GET", "/api/v1/service/stats", "/api/v1/service/stats",
      [this](const httplib::Request& req, httplib::Response& res) {
        const auto c = caller(req, false);
        send_json(res, 200, stats_json(rt.service().service_stats(c)));
      });
  install_schedule_routes();  // schedule_routes.cpp: upcoming runs, previews, completions
  install_ui_routes();        // ui_routes.cpp: /ui/, analytics series
}

std::future<FinishedRun> HttpServer::Impl::launch_run(const Caller& c, const std::string& task_id,
                                                      const json::value& body,
                                                      StartedRun& started) {
  auto& pool = rt.workers();
  if (!pool.try_admit()) throw Unavailable("execution worker pool is full");
  try {
    started = rt.service().start_execution(c, task_id, body);
  } catch (...) {
    pool.cancel_admission();
    throw;
  }
  rt.after_write();
  auto done = std::make_shared<std::promise<FinishedRun>>();
  auto finished = done->get_future();
  const auto request_id = current_request().request_id;
  std::optional<trace::TraceContext> trace_context;
  if (const auto* t = trace::current()) trace_context = *t;
  pool.submit_admitted([this, started, done, request_id, trace_context] {
    // The run's outbound calls and log lines belong to the request's trace.
    trace::set_current(trace_context);
    try {
      auto run = rt.service().finish_execution(started);
      rt.after_write();
      metrics.observe_execution(std::string(to_string(run.execution.status)));
      if (run.execution.duration_ms)
        metrics.observe_manual_run(std::string(to_string(started.task.task_type)),
                                   std::string(to_string(run.execution.status)),
                                   static_cast<double>(*run.execution.duration_ms) / 1000.0);
      done->set_value(std::move(run));
    } catch (const std::exception& e) {
      runtime::log_line(runtime::LogLevel::error, "execution failed to record",
                        {{"request_id", request_id},
                         {"execution_id", started.execution.execution_id},
                         {"error", e.what()}});
      done->set_exception(std::current_exception());
    }
    trace::set_current(std::nullopt);
  });
  return finished;
}

void HttpServer::Impl::execute(const Caller& c, int wait_ms, const httplib::Request& req,
                               httplib::Response& res) {
  const auto body = json_body(req, true);
  StartedRun started;
  auto finished = launch_run(c, req.matches[1].str(), body, started);
  if (finished.wait_for(std::chrono::milliseconds(wait_ms)) == std::future_status::ready) {
    send_json(res, 200, json::value_from(finished.get().execution));
    return;
  }
  res.set_header("Location", "/api/v1/tasks/" + started.task.task_id + "/executions");
  send_json(res, 202, json::value_from(started.execution));
}

}  // namespace task::server
