// daily_news and news_monitor over the news provider (docs/providers.md).
#include <algorithm>
#include <boost/json/value_from.hpp>
#include <cctype>
#include <set>

#include "provider_http.hpp"

namespace task::executors {

namespace {

namespace json = boost::json;

constexpr std::size_t kMaxSeen = 1000;
constexpr std::size_t kMaxArticles = 100;

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string text_of(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

/// What makes two articles the same: the URL, else the provider's id, else the title.
std::string identity(const json::object& article) {
  for (auto key : {"url", "id", "title"}) {
    if (const auto* v = article.if_contains(key)) {
      if (v->is_string() && !v->get_string().empty()) return std::string(v->get_string());
      if (v->is_int64()) return std::to_string(v->get_int64());
    }
  }
  return {};
}

/// The keywords (lower-cased) an article's title, summary or description contains.
json::array matched_keywords(const json::object& article, const std::vector<std::string>& kws) {
  const auto hay = lower(text_of(article, "title") + "\n" + text_of(article, "summary") + "\n" +
                         text_of(article, "description"));
  json::array hits;
  for (const auto& k : kws)
    if (hay.find(lower(k)) != std::string::npos) hits.emplace_back(k);
  return hits;
}

/// Identities seen by the previous run: its `seen` list, else its `articles`.
std::set<std::string> previously_seen(const json::value& previous) {
  std::set<std::string> seen;
  if (!previous.is_object()) return seen;
  const auto& p = previous.get_object();
  if (const auto* s = p.if_contains("seen"); s && s->is_array()) {
    for (const auto& id : s->get_array())
      if (id.is_string()) seen.emplace(id.get_string());
  } else if (const auto* a = p.if_contains("articles"); a && a->is_array()) {
    for (const auto& art : a->get_array())
      if (art.is_object()) seen.insert(identity(art.get_object()));
  }
  return seen;
}

std::vector<std::string> string_list(const json::value* v) {
  std::vector<std::string> out;
  if (v && v->is_array())
    for (const auto& s : v->get_array())
      if (s.is_string() && !s.get_string().empty()) out.emplace_back(s.get_string());
  return out;
}

/// One "- title" line per article, for a notification's message.
std::string title_lines(const json::array& articles) {
  std::string out;
  for (const auto& a : articles)
    out += "- " + text_of(a.get_object(), "title") + "\n";
  return out;
}

std::string join(const std::vector<std::string>& xs, std::string_view sep) {
  std::string out;
  for (const auto& x : xs)
    out += (out.empty() ? "" : std::string(sep)) + x;
  return out;
}

class NewsExecutor final : public detail::ProviderExecutor {
 public:
  using ProviderExecutor::ProviderExecutor;

  RunOutcome run(const RunContext& ctx) override {
    if (config_.news_url.empty())
      return detail::not_configured("news provider", "TASK_NEWS_PROVIDER_URL");
    const auto& cfg = ctx.task.config;
    const bool monitor = ctx.task.task_type == TaskType::news_monitor;
    const auto keywords = string_list(cfg.if_contains(monitor ? "keywords" : "topics"));
    if (monitor && keywords.empty())
      return RunOutcome::fail("config.keywords must be a non-empty string array", "INVALID_CONFIG");
    std::vector<std::pair<std::string, std::string>> query;
    if (!keywords.empty()) query.emplace_back("q", join(keywords, ","));
    for (auto key : {"category", "country", "language"})
      if (const auto* v = cfg.if_contains(key); v && v->is_string())
        query.emplace_back(key, std::string(v->get_string()));
    std::int64_t limit = 10;
    if (const auto* v = cfg.if_contains("limit"); v && v->is_int64())
      limit = std::clamp<std::int64_t>(v->get_int64(), 1, kMaxArticles);
    query.emplace_back("limit", std::to_string(monitor ? kMaxArticles : limit));

    auto fetched = detail::get_json("news provider", config_.news_url, "/news", query, config_);
    if (fetched.failure) return *fetched.failure;
    const auto* articles = fetched.json.get_object().if_contains("articles");
    if (!articles || !articles->is_array())
      return RunOutcome::fail("news provider response has no `articles` array",
                              "PROVIDER_BAD_RESPONSE", {{"provider", "news provider"}});
    if (monitor) return report_new(ctx, keywords, articles->get_array());
    return digest(ctx, articles->get_array(), static_cast<std::size_t>(limit));
  }

 private:
  RunOutcome digest(const RunContext& ctx, const json::array& articles, std::size_t limit) {
    json::array kept;
    for (const auto& a : articles)
      if (a.is_object() && kept.size() < limit) kept.push_back(a);
    const auto note = note_for(ctx, "daily_news", "News: " + ctx.task.name, title_lines(kept),
                               json::object{{"articles", kept}});
    json::object result{{"articles", kept}, {"count", static_cast<std::int64_t>(kept.size())}};
    return finish(note, std::move(result));
  }

  RunOutcome report_new(const RunContext& ctx, const std::vector<std::string>& keywords,
                        const json::array& articles) {
    const auto seen_before = previously_seen(ctx.previous_result);
    json::array matching, fresh, seen;
    std::set<std::string> seen_now;
    for (const auto& a : articles) {
      if (!a.is_object()) continue;
      auto hits = matched_keywords(a.get_object(), keywords);
      if (hits.empty()) continue;
      auto article = a.get_object();
      article["matched_keywords"] = std::move(hits);
      const auto id = identity(article);
      if (!seen_now.insert(id).second) continue;  // the provider repeated itself
      if (!seen_before.contains(id)) fresh.push_back(article);
      if (matching.size() < kMaxArticles) matching.push_back(std::move(article));
    }
    // Remember what was seen (now first, then older), bounded, so an article that drops out of
    // the feed and comes back is not reported twice.
    for (const auto& id : seen_now)
      seen.emplace_back(id);
    for (const auto& id : seen_before)
      if (seen.size() < kMaxSeen && !seen_now.contains(id)) seen.emplace_back(id);
    json::object result{{"keywords", json::value_from(keywords)},
                        {"articles", matching},
                        {"new_articles", fresh},
                        {"new_count", static_cast<std::int64_t>(fresh.size())},
                        {"seen", seen}};
    std::optional<Notification> note;
    if (!fresh.empty())
      note = note_for(ctx, "news",
                      std::to_string(fresh.size()) + " new article(s) for " + join(keywords, ", "),
                      title_lines(fresh), json::object{{"new_articles", fresh}});
    return finish(note, std::move(result));
  }
};

}  // namespace

std::shared_ptr<Executor> make_news_executor(const ProviderConfig& config,
                                             std::shared_ptr<Notifier> notifier) {
  return detail::make_provider_executor<NewsExecutor>(config, std::move(notifier));
}

}  // namespace task::executors
