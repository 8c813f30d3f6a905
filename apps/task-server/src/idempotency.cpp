// Idempotency-Key handling of the keyed POSTs (docs/api.md §16, Part 2 "Idempotency keys").
#include "idempotency.hpp"

#include <openssl/evp.h>

#include <boost/json.hpp>
#include <random>

#include "server_impl.hpp"
#include "task/core/errors.hpp"
#include "task/runtime/log.hpp"

namespace task::server {

namespace json = boost::json;

namespace {

constexpr const char* kHeader = "Idempotency-Key";
/// Response headers a replay gives back (besides the body and status).
constexpr const char* kReplayedHeaders[] = {"Content-Type", "ETag", "Location"};
/// Expired records deleted per pruning pass, and the time between passes of one server.
constexpr int kPruneBatch = 500;
constexpr std::int64_t kPruneEveryUs = 60'000'000;

/// 1-255 characters, each printable ASCII (space to tilde), as for X-User-ID (docs/api.md §4).
bool valid_key(const std::string& k) {
  if (k.empty() || k.size() > 255) return false;
  for (unsigned char c : k)
    if (c < 0x20 || c > 0x7e) return false;
  return true;
}

/// A token naming the request that holds a record (128 random bits as hex).
std::string new_owner_token() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(32, '0');
  for (std::size_t i = 0; i < out.size(); i += 16) {
    auto r = rng();
    for (std::size_t j = 0; j < 16; ++j, r >>= 4)
      out[i + j] = kHex[r & 0xf];
  }
  return out;
}

std::string headers_json(const httplib::Response& res) {
  json::object h;
  for (const char* name : kReplayedHeaders)
    if (res.has_header(name)) h[name] = res.get_header_value(name);
  return json::serialize(h);
}

void replay(const IdempotencyRecord& r, httplib::Response& res) {
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
  const std::string text = method + "\n" + path + "\n" + body;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(text.data(), text.size(), digest, &len, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("SHA-256 of the request failed (OpenSSL EVP_Digest)");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * len);
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

void IdempotencyGuard::run(const Caller& caller, const std::string& route,
                           const httplib::Request& req, httplib::Response& res,
                           std::chrono::milliseconds wait, const std::function<void()>& handler) {
  if (!req.has_header(kHeader)) {
    handler();
    return;
  }
  if (req.get_header_value_count(kHeader) > 1)
    throw ValidationError({"header", kHeader}, "Idempotency-Key must be given once", "value_error");
  const std::string key = req.get_header_value(kHeader);
  if (!valid_key(key))
    throw ValidationError({"header", kHeader},
                          "Idempotency-Key must be 1-255 printable ASCII characters",
                          "value_error");
  const auto now = clock_.now();
  prune_now_and_then(now);

  IdempotencyRecord candidate;
  candidate.user_id = caller.user_id;
  candidate.key = key;
  candidate.request_hash = idempotency_fingerprint(req.method, req.path, req.body);
  candidate.owner = new_owner_token();
  candidate.created_at = now;
  candidate.expires_at = now + std::chrono::duration_cast<Micros>(kIdempotencyLease + wait);
  const auto begun = store_.begin_idempotent(candidate, now);
  switch (begun.claim) {
    case IdempotencyClaim::completed:
      count(replays_, route);
      replay(begun.record, res);
      return;
    case IdempotencyClaim::in_progress:
      count(rejected_, "in_progress");
      res.set_header("Retry-After", "1");
      send_json(
          res, 409,
          json::object{{"detail", "A request with this Idempotency-Key is still being processed"}});
      return;
    case IdempotencyClaim::mismatch:
      count(rejected_, "key_reuse");
      throw ValidationError({"header", kHeader},
                            "This Idempotency-Key was used for a different request (method, path "
                            "or body) in the last 24 hours",
                            "idempotency_key_reuse");
    case IdempotencyClaim::claimed:
      break;
  }

  auto release = [&] {
    try {
      store_.release_idempotent(caller.user_id, key, candidate.owner);
    } catch (const std::exception& e) {  // the lease frees the key later
      runtime::log_line(runtime::LogLevel::warn, "idempotency key not released",
                        {{"request_id", current_request().request_id}, {"error", e.what()}});
    }
  };
  try {
    handler();
  } catch (...) {
    release();
    throw;
  }
  if (res.status < 200 || res.status >= 300) {
    release();
    return;
  }
  try {
    if (!store_.complete_idempotent(caller.user_id, key, candidate.owner, res.status, res.body,
                                    headers_json(res), candidate.created_at + kIdempotencyLifetime))
      runtime::log_line(runtime::LogLevel::warn, "idempotency lease lost before the response",
                        {{"request_id", current_request().request_id}});
  } catch (const std::exception& e) {
    // The change is made and answered; the in-progress record frees the key after its lease.
    runtime::log_line(runtime::LogLevel::warn, "idempotency response not stored",
                      {{"request_id", current_request().request_id}, {"error", e.what()}});
  }
}

void IdempotencyGuard::count(std::map<std::string, std::uint64_t>& family,
                             const std::string& label) {
  std::lock_guard lock(mutex_);
  ++family[label];
}

void IdempotencyGuard::prune_now_and_then(Timestamp now) {
  const auto us = to_unix_micros(now);
  auto last = last_prune_us_.load();
  if (us - last < kPruneEveryUs || !last_prune_us_.compare_exchange_strong(last, us)) return;
  try {
    store_.prune_idempotency(now, kPruneBatch);
  } catch (const std::exception& e) {
    runtime::log_line(runtime::LogLevel::warn, "idempotency pruning failed", {{"error", e.what()}});
  }
}

std::string IdempotencyGuard::render_metrics() const {
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
