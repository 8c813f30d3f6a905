// URL parsing and the factory of task::store.
#include <filesystem>
#include <stdexcept>

#include "migrations.hpp"
#include "sql_repository.hpp"
#include "task/core/errors.hpp"
#include "task/store/store.hpp"

#if __has_include("task/rules/builtin_templates.hpp")
#include "task/rules/builtin_templates.hpp"
#define TASK_STORE_HAVE_BUILTIN_TEMPLATES 1
#endif

namespace task::store {

namespace {

using detail::Backend;
using detail::Dialect;

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

/// A libpq conninfo value in single quotes.
std::string quote(const std::string& v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

bool starts_with(const std::string& s, std::string_view prefix) {
  return s.rfind(prefix, 0) == 0;
}

struct Target {
  Dialect dialect;
  std::string connect;
};

Target parse_url(const std::string& url, int connect_timeout) {
  if (starts_with(url, "sqlite:")) {
    std::string path = url.substr(7);
    if (starts_with(path, "//")) path = path.substr(2);
    if (path.empty()) throw std::invalid_argument("sqlite URL without a path: " + url);
    const auto parent = std::filesystem::path(path).parent_path();
    std::error_code ec;
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    // SOCI 4.0.3's sqlite3 backend splits its connect string at spaces and knows no quoting.
    if (path.find_first_of(" \t") != std::string::npos)
      throw std::invalid_argument("sqlite path must not contain spaces: " + path);
    return {Dialect{Backend::sqlite}, "db=" + path};
  }
  if (starts_with(url, "postgresql://") || starts_with(url, "postgres://"))
    return {Dialect{Backend::postgres}, pg_conninfo_from_url(url, connect_timeout)};
  throw std::invalid_argument("task::store handles sqlite:// and postgresql:// URLs, not: " + url);
}

}  // namespace

std::string pg_conninfo_from_url(const std::string& url, int connect_timeout_seconds) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) throw std::invalid_argument("not a URL: " + url);
  std::string rest = url.substr(scheme_end + 3);
  std::string query;
  if (auto q = rest.find('?'); q != std::string::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  std::string db;
  if (auto slash = rest.find('/'); slash != std::string::npos) {
    db = percent_decode(rest.substr(slash + 1));
    rest = rest.substr(0, slash);
  }
  std::string user, password;
  if (auto at = rest.rfind('@'); at != std::string::npos) {
    std::string auth = rest.substr(0, at);
    rest = rest.substr(at + 1);
    if (auto colon = auth.find(':'); colon != std::string::npos) {
      password = percent_decode(auth.substr(colon + 1));
      auth = auth.substr(0, colon);
    }
    user = percent_decode(auth);
  }
  std::string host = rest, port;
  if (!host.empty() && host.front() == '[') {  // [::1]:5432
    const auto close = host.find(']');
    if (close == std::string::npos) throw std::invalid_argument("bad host in URL: " + url);
    port = close + 1 < host.size() && host[close + 1] == ':' ? host.substr(close + 2) : "";
    host = host.substr(1, close - 1);
  } else if (auto colon = host.rfind(':'); colon != std::string::npos) {
    port = host.substr(colon + 1);
    host = host.substr(0, colon);
  }
  std::string out;
  auto add = [&](const std::string& k, const std::string& v) {
    if (!v.empty()) out += (out.empty() ? "" : " ") + k + "=" + quote(v);
  };
  add("host", percent_decode(host));
  add("port", port);
  add("dbname", db);
  add("user", user);
  add("password", password);
  bool has_timeout = false, has_options = false;
  std::size_t pos = 0;
  while (pos < query.size()) {
    auto amp = query.find('&', pos);
    if (amp == std::string::npos) amp = query.size();
    const std::string kv = query.substr(pos, amp - pos);
    pos = amp + 1;
    const auto eq = kv.find('=');
    if (eq == std::string::npos) continue;
    const std::string k = percent_decode(kv.substr(0, eq));
    has_timeout |= k == "connect_timeout";
    has_options |= k == "options";
    add(k, percent_decode(kv.substr(eq + 1)));
  }
  if (!has_timeout) add("connect_timeout", std::to_string(connect_timeout_seconds));
  if (!has_options) add("options", "-c TimeZone=UTC -c client_min_messages=warning");
  add("application_name", "task-service");
  return out;
}

std::shared_ptr<TaskRepository> open_repository(const std::string& url, StoreOptions options) {
  Target target = parse_url(url, options.connect_timeout_seconds);
  auto db = std::make_unique<detail::Database>(target.dialect, target.connect, options);
  if (options.migrate)
    db->with_session([&](soci::session& s) { detail::apply_migrations(s, target.dialect); });
  auto repo = std::make_shared<detail::SqlRepository>(std::move(db));
#ifdef TASK_STORE_HAVE_BUILTIN_TEMPLATES
  if (options.seed_templates)
    repo->seed_templates(task::builtin_templates(
        std::chrono::time_point_cast<Micros>(std::chrono::system_clock::now())));
#endif
  return repo;
}

std::vector<int> applied_migrations(const std::string& url) {
  Target target = parse_url(url, 3);
  StoreOptions options;
  options.pool_size = 1;
  detail::Database db(target.dialect, target.connect, options);
  return db.with_session(
      [&](soci::session& s) { return detail::applied_versions(s, target.dialect); });
}

}  // namespace task::store
