// price_tracker over the price provider (docs/providers.md).
#include <cstdio>

#include "provider_http.hpp"

namespace task::executors {

namespace {

namespace json = boost::json;

std::string money(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

class PriceExecutor final : public detail::ProviderExecutor {
 public:
  using ProviderExecutor::ProviderExecutor;

  RunOutcome run(const RunContext& ctx) override {
    if (config_.price_url.empty())
      return detail::not_configured("price provider", "TASK_PRICE_PROVIDER_URL");
    const auto& cfg = ctx.task.config;
    const auto* url = cfg.if_contains("product_url");
    const auto* target_value = cfg.if_contains("target_price");
    const auto target_opt = target_value ? detail::as_number(*target_value) : std::nullopt;
    if (!url || !url->is_string() || !target_opt)
      return RunOutcome::fail("config.product_url and a numeric config.target_price are required",
                              "INVALID_CONFIG");
    auto fetched = detail::get_json("price provider", config_.price_url, "/price",
                                    {{"url", std::string(url->get_string())}}, config_);
    if (fetched.failure) return *fetched.failure;
    const auto& body = fetched.json.get_object();
    const auto price = body.contains("price") ? detail::as_number(body.at("price")) : std::nullopt;
    if (!price)
      return RunOutcome::fail("price provider response has no numeric `price`",
                              "PROVIDER_BAD_RESPONSE", {{"provider", "price provider"}});
    const double target = *target_opt;
    const bool reached = *price <= target;
    json::object result{{"product_url", *url},
                        {"price", *price},
                        {"target_price", target},
                        {"target_reached", reached},
                        {"notified", false}};
    for (auto key : {"currency", "title", "in_stock"})
      if (const auto* v = body.if_contains(key)) result[key] = *v;
    std::optional<Notification> note;
    if (reached) {
      std::string what = body.contains("title") && body.at("title").is_string()
                             ? std::string(body.at("title").get_string())
                             : std::string(url->get_string());
      note = note_for(ctx, "price_alert", "Price alert: " + what,
                      what + " costs " + money(*price) + " (target " + money(target) + ")", result);
    }
    return finish(note, std::move(result));
  }
};

}  // namespace

std::shared_ptr<Executor> make_price_executor(const ProviderConfig& config,
                                              std::shared_ptr<Notifier> notifier) {
  return detail::make_provider_executor<PriceExecutor>(config, std::move(notifier));
}

}  // namespace task::executors
