// data_backup: exports the owner's tasks (and optionally their executions) as one JSON document.
#include <openssl/evp.h>

#include <boost/json/value_from.hpp>
#include <filesystem>
#include <fstream>

#include "provider_http.hpp"
#include "task/codec/json_codec.hpp"

namespace task::executors {

namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

/// A directory name for a user id: safe characters kept, plus a hash so that ids that differ
/// only in unsafe characters never share a directory.
std::string user_dir(const std::string& user_id) {
  std::string safe;
  for (unsigned char c : user_id.substr(0, 64))
    safe += (std::isalnum(c) || c == '-' || c == '_' || c == '.') ? static_cast<char>(c) : '_';
  return safe + "-" + sha256_hex(user_id).substr(0, 12);
}

/// `20261126T220929Z` for file names.
std::string compact_time(Timestamp t) {
  std::string s = format_rfc3339(std::chrono::time_point_cast<std::chrono::seconds>(t));
  std::erase_if(s, [](char c) { return c == '-' || c == ':'; });
  return s;
}

class BackupExecutor final : public Executor {
 public:
  BackupExecutor(ProviderConfig config, std::shared_ptr<TaskStore> tasks,
                 std::shared_ptr<Clock> clock)
      : config_(std::move(config)), repo_(std::move(tasks)), clock_(std::move(clock)) {}

  RunOutcome run(const RunContext& ctx) override {
    const auto& cfg = ctx.task.config;
    const bool with_executions = cfg.contains("include_executions") &&
                                 cfg.at("include_executions").is_bool() &&
                                 cfg.at("include_executions").get_bool();
    const auto now = clock_->now();
    json::object doc{{"format", "task_service.backup.v1"},
                     {"user_id", ctx.task.user_id},
                     {"exported_at", format_rfc3339(now)}};
    json::array tasks, executions;
    for (const auto& t : all_tasks(ctx.task.user_id)) {
      tasks.push_back(json::value_from(t));
      if (with_executions) append_executions(t.task_id, executions);
    }
    const auto task_count = tasks.size();
    doc["task_count"] = static_cast<std::int64_t>(task_count);
    doc["tasks"] = std::move(tasks);
    if (with_executions) {
      doc["execution_count"] = static_cast<std::int64_t>(executions.size());
      doc["executions"] = std::move(executions);
    }
    const std::string body = to_json_text(doc);
    const std::string digest = sha256_hex(body);
    json::object result{{"bytes", static_cast<std::int64_t>(body.size())},
                        {"task_count", static_cast<std::int64_t>(task_count)},
                        {"sha256", digest},
                        {"include_executions", with_executions}};
    if (const auto* dest = cfg.if_contains("destination"); dest && dest->is_string())
      return upload(std::string(dest->get_string()), body, std::move(result));
    return write_file(ctx, now, body, std::move(result));
  }

 private:
  std::vector<Task> all_tasks(const std::string& user_id) {
    std::vector<Task> out;
    TaskQuery q;
    q.user_id = user_id;
    q.limit = 100;
    while (true) {
      auto page = repo_->list_tasks(q);
      if (page.tasks.empty()) break;
      q.after = TaskQuery::After{page.tasks.back().created_at, page.tasks.back().id};
      for (auto& t : page.tasks)
        out.push_back(std::move(t));
    }
    return out;
  }

  void append_executions(const std::string& task_id, json::array& out) {
    for (int offset = 0;; offset += 100) {
      auto page = repo_->list_executions(task_id, 100, offset);
      for (const auto& e : page.executions)
        out.push_back(json::value_from(e));
      if (page.executions.size() < 100) break;
    }
  }

  RunOutcome write_file(const RunContext& ctx, Timestamp now, const std::string& body,
                        json::object result) {
    std::error_code ec;
    const fs::path dir =
        fs::absolute(fs::path(config_.data_dir) / "backups" / user_dir(ctx.task.user_id));
    fs::create_directories(dir, ec);
    if (ec)
      return RunOutcome::fail(
          "cannot create backup directory " + dir.string() + ": " + ec.message(),
          "BACKUP_WRITE_FAILED");
    const auto path = dir / (ctx.task.task_id + "-" + compact_time(now) + "-" +
                             ctx.execution.execution_id + ".json");
    const auto tmp = fs::path(path.string() + ".tmp");
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      out.write(body.data(), static_cast<std::streamsize>(body.size()));
      out.close();
      if (!out) {
        fs::remove(tmp, ec);
        return RunOutcome::fail("cannot write backup file " + tmp.string(), "BACKUP_WRITE_FAILED");
      }
    }
    fs::rename(tmp, path, ec);
    if (ec)
      return RunOutcome::fail("cannot move backup into place: " + ec.message(),
                              "BACKUP_WRITE_FAILED");
    result["location"] = path.string();
    return RunOutcome::ok(std::move(result));
  }

  RunOutcome upload(const std::string& destination, const std::string& body, json::object result) {
    // A user-given target: the outbound policy applies (unless allow-private mode), checked on
    // the address the upload then connects to.
    if (!clients::parse_http_url(destination))
      return RunOutcome::fail("config.destination must be an http(s) URL", "INVALID_CONFIG");
    const auto policy = config_.allow_private_destinations ? clients::AddressPolicy::any
                                                           : clients::AddressPolicy::public_only;
    const auto sent =
        detail::send_body("POST", destination, body, "application/json", config_, policy);
    if (sent.refused && sent.refused->reason == clients::Refused::Reason::forbidden)
      return RunOutcome::fail("backup destination " + sent.refused->message + " (refused)",
                              "DESTINATION_REFUSED",
                              {{"destination", destination},
                               {"address", sent.refused->address},
                               {"range", sent.refused->range}});
    const json::object where{{"destination", destination}};
    if (sent.timed_out)
      return RunOutcome::fail("backup destination timed out", "DESTINATION_TIMEOUT", where);
    if (!sent.error.empty())
      return RunOutcome::fail("backup destination unreachable: " + sent.error,
                              "DESTINATION_UNREACHABLE", where);
    if (sent.status < 200 || sent.status >= 300) {
      auto details = where;
      details["status"] = sent.status;
      return RunOutcome::fail("backup destination answered HTTP " + std::to_string(sent.status),
                              "DESTINATION_HTTP_STATUS", details);
    }
    result["location"] = destination;
    return RunOutcome::ok(std::move(result), 1);
  }

  ProviderConfig config_;
  std::shared_ptr<TaskStore> repo_;
  std::shared_ptr<Clock> clock_;
};

}  // namespace

std::shared_ptr<Executor> make_backup_executor(const ProviderConfig& config,
                                               std::shared_ptr<TaskStore> tasks,
                                               std::shared_ptr<Clock> clock) {
  if (!clock) clock = std::make_shared<SystemClock>();
  return std::make_shared<BackupExecutor>(config, std::move(tasks), std::move(clock));
}

}  // namespace task::executors
