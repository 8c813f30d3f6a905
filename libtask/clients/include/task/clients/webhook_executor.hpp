#pragma once
/// The `custom` task type's executor: one HTTP request to the task's webhook (docs/api.md §10b).
///
/// Config keys: `url` (or `webhook_url`), `method` (POST), `headers` (object of strings), `body`
/// (any JSON; default: the task context), `timeout_ms` (10000, at most 60000), `expect_status`
/// (a status or a list; default any 2xx). Result: `{status_code, body, duration_ms}` with the
/// response body (first 64 KiB) parsed when it is JSON. Failures are RunOutcome::fail values
/// with error_code WEBHOOK_INVALID_URL, WEBHOOK_INVALID_CONFIG (a method outside the list, a header
/// name that is not a token or a value with CR/LF/NUL), WEBHOOK_TARGET_FORBIDDEN,
/// WEBHOOK_DNS_FAILED, WEBHOOK_CONNECT_FAILED, WEBHOOK_TIMEOUT or WEBHOOK_HTTP_STATUS. The target
/// goes through the outbound address policy (task/clients/outbound.hpp): resolved once, every
/// address public unless allow_private, the connection made to the checked address.
///
/// Ownership: WebhookExecutor owns its options (including the Outbound); `run` reads the RunContext
/// only during the call. Thread-safety: immutable after construction; `run` is called from worker
/// threads and is safe to call concurrently. webhook_context is pure.
#include <cstddef>
#include <utility>

#include "task/clients/outbound.hpp"
#include "task/ports/executor.hpp"

namespace task::clients {

/// Options of the webhook executor.
struct WebhookOptions {
  bool allow_private = false;  ///< allow loopback / private targets (tests, trusted networks)
  int default_timeout_ms = 10000;
  int max_timeout_ms = 60000;
  std::size_t max_body_bytes = 64 * 1024;
  Outbound outbound;  ///< resolver and transport (tests replace them)
};

/// Calls the webhook of a `custom` task.
class WebhookExecutor final : public Executor {
 public:
  explicit WebhookExecutor(WebhookOptions options = {}) : options_(std::move(options)) {}
  RunOutcome run(const RunContext& ctx) override;

 private:
  WebhookOptions options_;
};

/// The default webhook body: the task context (task_id, name, task_type, user_id, execution_id,
/// trigger_type, trigger_data, scheduled_for, config, metadata).
boost::json::object webhook_context(const RunContext& ctx);

}  // namespace task::clients
