// RemoteBackend: the HTTP API of a task-server through the outbound module (task::clients).
#include <boost/json.hpp>

#include "backend.hpp"
#include "exit_codes.hpp"
#include "task/clients/outbound.hpp"
#include "task/codec/json_codec.hpp"
#include "task/codec/json_numbers.hpp"

namespace json = boost::json;

namespace task::cli {

namespace {

json::value parse_body(const std::string& body) {
  boost::system::error_code ec;
  // Exact numbers; a response wraps stored values (up to kMaxStoredJsonDepth) in a page.
  auto v = parse_json(body, ec, kMaxStoredJsonDepth + 4);
  return ec ? json::value(nullptr) : v;
}

class RemoteBackend final : public Backend {
 public:
  explicit RemoteBackend(const GlobalOptions& o) : base_(trimmed(o.server)) {
    headers_.emplace_back("X-User-ID", o.user);
    headers_.emplace_back("Accept", "application/json");
    if (!o.token.empty()) headers_.emplace_back("Authorization", "Bearer " + o.token);
    if (!o.internal_secret.empty()) {
      headers_.emplace_back("X-Internal-Service", "true");
      headers_.emplace_back("X-Internal-Service-Secret", o.internal_secret);
    }
    if (o.idempotency_key) key_ = *o.idempotency_key;
  }

  json::object create_task(const json::object& body) override {
    return send("POST", "/api/v1/tasks", {}, &body, false, true).value.as_object();
  }
  json::object list_tasks(const Params& query) override {
    return send("GET", "/api/v1/tasks", query, nullptr).value.as_object();
  }
  json::object get_task(const std::string& id) override {
    return send("GET", task_path(id), {}, nullptr).value.as_object();
  }
  json::object update_task(const std::string& id, const json::object& body) override {
    return send("PUT", task_path(id), {}, &body).value.as_object();
  }
  json::object delete_task(const std::string& id) override {
    return send("DELETE", task_path(id), {}, nullptr).value.as_object();
  }
  RunResult execute_task(const std::string& id, const json::object& body, int wait_ms) override {
    auto r = send("POST", task_path(id) + "/execute", {{"wait_ms", std::to_string(wait_ms)}}, &body,
                  false, true);
    return {r.value.as_object(), r.status == 200};
  }
  std::pair<json::array, std::int64_t> list_executions(const std::string& id,
                                                       const Params& query) override {
    auto r = send("GET", task_path(id) + "/executions", query, nullptr, true);
    std::int64_t total = static_cast<std::int64_t>(r.value.as_array().size());
    if (!r.total_count.empty()) total = std::stoll(r.total_count);
    return {r.value.as_array(), total};
  }
  json::array list_templates(const Params& query) override {
    return send("GET", "/api/v1/templates", query, nullptr, true).value.as_array();
  }
  json::object create_from_template(const json::object& body) override {
    return send("POST", "/api/v1/tasks/from-template", {}, &body, false, true).value.as_object();
  }
  json::object analytics(const Params& query) override {
    return send("GET", "/api/v1/analytics", query, nullptr).value.as_object();
  }
  json::object upcoming(const std::string& id, const Params& query) override {
    return send("GET", task_path(id) + "/upcoming", query, nullptr).value.as_object();
  }
  json::object preview(const json::object& body) override {
    return send("POST", "/api/v1/schedules/preview", {}, &body).value.as_object();
  }
  json::object bulk(const json::object& body) override {
    return send("POST", "/api/v1/tasks/bulk", {}, &body, false, true).value.as_object();
  }
  json::array completions(const std::string& id, const Params& query) override {
    return send("GET", task_path(id) + "/completions", query, nullptr, true).value.as_array();
  }
  void import_record(const TaskRecord&) override { begin_import(); }
  void begin_import() override {
    throw UsageError(
        "import needs a local database (--db): the HTTP API cannot create a task with its "
        "original task_id, timestamps, counters and execution history");
  }
  std::string migrate() override {
    throw UsageError("db migrate works on a local database (--db), not on --server");
  }

 private:
  struct Reply {
    int status = 0;
    json::value value;
    std::string total_count;
  };

  static std::string trimmed(std::string url) {
    while (!url.empty() && url.back() == '/')
      url.pop_back();
    return url;
  }
  static std::string task_path(const std::string& id) {
    return "/api/v1/tasks/" + clients::percent_encode(id);
  }

  Reply send(const std::string& method, std::string path, const Params& query,
             const json::object* body, bool expect_array = false, bool keyed = false) {
    for (std::size_t i = 0; i < query.size(); ++i)
      path += (i ? "&" : "?") + clients::percent_encode(query[i].first) + "=" +
              clients::percent_encode(query[i].second);
    const bool with_body = method == "POST" || method == "PUT";
    // The server is the one the user named: AddressPolicy::any (usually loopback).
    clients::OutboundRequest req(method, path);
    req.headers = headers_;
    if (keyed && key_) req.headers.emplace_back("Idempotency-Key", *key_);
    if (with_body) {
      req.body = body ? to_json_text(*body) : std::string();
      req.content_type = "application/json";
    }
    req.max_response_bytes = std::size_t{1} << 30;
    const auto sent =
        clients::Outbound{}.send(base_, clients::AddressPolicy::any, req,
                                 {std::chrono::seconds(5), std::chrono::seconds(120)});
    if (const auto* refused = std::get_if<clients::Refused>(&sent))
      throw ConnectionError("cannot reach " + base_ + ": " + refused->message);
    const auto* res = &std::get<clients::OutboundResponse>(sent);
    if (!res->error.empty()) throw ConnectionError("cannot reach " + base_ + ": " + res->error);
    Reply r{res->status, parse_body(res->body), res->header("X-Total-Count")};
    if (res->status < 200 || res->status >= 300)
      throw RemoteError(res->status, std::move(r.value), res->body.substr(0, 200));
    if (expect_array ? !r.value.is_array() : !r.value.is_object())
      throw std::runtime_error("unexpected response from " + base_ + " (HTTP " +
                               std::to_string(res->status) + ")");
    return r;
  }

  std::string base_;
  std::optional<std::string> key_;  ///< --idempotency-key, sent with the four keyed POSTs
  std::vector<std::pair<std::string, std::string>> headers_;
};

}  // namespace

std::unique_ptr<Backend> make_remote_backend(const GlobalOptions& options) {
  if (!options.server.starts_with("http://") && !options.server.starts_with("https://"))
    throw UsageError("--server: expected http://HOST:PORT, got '" + options.server + "'");
  return std::make_unique<RemoteBackend>(options);
}

}  // namespace task::cli
