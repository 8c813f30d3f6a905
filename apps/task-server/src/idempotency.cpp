// Idempotency-Key handling of the keyed POSTs (docs/api.md §16, Part 2 "Idempotency keys"): the
// header around libtask's IdempotencyGuard.
#include "idempotency.hpp"

#include <boost/json.hpp>

#include "server_impl.hpp"
#include "task/clients/fingerprint.hpp"
#include "task/core/errors.hpp"
#include "task/runtime/log.hpp"

namespace task::server {

namespace json = boost::json;

namespace {

constexpr const char* kHeader = "Idempotency-Key";
/// Response headers a replay gives back (besides the body and status).
constexpr const char* kReplayedHeaders[] = {"Content-Type", "ETag", "Location"};

std::string headers_json(const httplib::Response& res) {
  json::object h;
  for (const char* name : kReplayedHeaders)
    if (res.has_header(name)) h[name] = res.get_header_value(name);
  return json::serialize(h);
}

void replay(const KeyedResponse& r, httplib::Response& res) {
  std::string content_type = "application/json";
  boost::system::error_code ec;
  const auto headers = json::parse(r.headers, ec);
  if (!ec && headers.is_object())
    for (const auto& [name, value] : headers.as_object()) {
      if (!value.is_string()) continue;
      if (name == "Content-Type")
        content_type = std::string(value.as_string());
      else
        res.set_header(std::string(name), std::string(value.as_string()));
    }
  res.status = r.status;
  res.set_content(r.body, content_type);
  res.set_header("Idempotent-Replayed", "true");
}

}  // namespace

std::string idempotency_fingerprint(const std::string& method, const std::string& path,
                                    const std::string& body) {
  return clients::request_fingerprint(method, path, body);
}

IdempotencyHeader::IdempotencyHeader(IdempotencyStore& store, task::Clock& clock)
    : guard_(store, clock, [](const std::string& what, const std::string& error) {
        std::vector<std::pair<std::string_view, std::string_view>> fields{
            {"request_id", current_request().request_id}};
        if (!error.empty()) fields.emplace_back("error", error);
        runtime::log_line(runtime::LogLevel::warn, what, fields);
      }) {}

void IdempotencyHeader::run(const Caller& caller, const std::string& route,
                            const httplib::Request& req, httplib::Response& res,
                            std::chrono::milliseconds wait, const std::function<void()>& handler) {
  if (!req.has_header(kHeader)) {
    handler();
    return;
  }
  if (req.get_header_value_count(kHeader) > 1)
    throw ValidationError({"header", kHeader}, "Idempotency-Key must be given once", "value_error");
  const std::string key = req.get_header_value(kHeader);
  KeyedResult result;
  try {
    result =
        guard_.run(caller.user_id, key, idempotency_fingerprint(req.method, req.path, req.body),
                   wait, {"header", kHeader}, [&] {
                     handler();
                     return KeyedResponse{res.status, res.body, headers_json(res)};
                   });
  } catch (const ValidationError& e) {
    if (!e.errors.empty() && e.errors.front().type == "idempotency_key_reuse")
      count(rejected_, "key_reuse");
    throw;
  }
  switch (result.outcome) {
    case KeyedOutcome::answered:
      return;  // `handler` wrote `res`
    case KeyedOutcome::replayed:
      count(replays_, route);
      replay(result.response, res);
      return;
    case KeyedOutcome::in_progress:
      count(rejected_, "in_progress");
      res.set_header("Retry-After", "1");
      send_json(
          res, 409,
          json::object{{"detail", "A request with this Idempotency-Key is still being processed"}});
      return;
  }
}

void IdempotencyHeader::count(std::map<std::string, std::uint64_t>& family,
                              const std::string& label) {
  std::lock_guard lock(mutex_);
  ++family[label];
}

std::string IdempotencyHeader::render_metrics() const {
  std::lock_guard lock(mutex_);
  std::string out =
      "# HELP task_idempotency_replays_total Responses replayed for a repeated Idempotency-Key.\n"
      "# TYPE task_idempotency_replays_total counter\n";
  for (const char* route : {"/api/v1/tasks", "/api/v1/tasks/from-template",
                            "/api/v1/tasks/{task_id}/execute", "/api/v1/tasks/bulk"}) {
    const auto it = replays_.find(route);
    out += "task_idempotency_replays_total{route=\"" + prometheus_label(route) + "\"} " +
           std::to_string(it == replays_.end() ? 0 : it->second) + "\n";
  }
  out +=
      "# HELP task_idempotency_rejections_total Keyed requests refused: the first is still in "
      "progress (409) or the key was used for another request (422).\n"
      "# TYPE task_idempotency_rejections_total counter\n";
  for (const char* reason : {"in_progress", "key_reuse"}) {
    const auto it = rejected_.find(reason);
    out += std::string("task_idempotency_rejections_total{reason=\"") + reason + "\"} " +
           std::to_string(it == rejected_.end() ? 0 : it->second) + "\n";
  }
  return out;
}

}  // namespace task::server
