// The dashboard's server side (docs/dashboard.md): static files, session settings, the
// analytics series and the same-origin rule. Kept apart from routes.cpp; install_routes() calls
// install_ui_routes() once.
#include "ui_routes.hpp"

#include <boost/json.hpp>
#include <map>
#include <stdexcept>

#include "task/core/errors.hpp"
#include "task/core/time.hpp"
#include "task/rules/query_int.hpp"

namespace task::server {

namespace json = boost::json;

namespace {

/// Content-Security-Policy of every /ui/ response: only this origin's scripts, styles and
/// fetches; no inline script or style elements, no plugins, no framing.
constexpr const char* kCsp =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; manifest-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'";

void set_ui_headers(httplib::Response& res) {
  res.set_header("Content-Security-Policy", kCsp);
  res.set_header("X-Frame-Options", "DENY");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Referrer-Policy", "no-referrer");
  res.set_header("Cross-Origin-Opener-Policy", "same-origin");
  res.set_header("Cross-Origin-Resource-Policy", "same-origin");
}

std::string content_type_of(const std::string& path) {
  static const std::map<std::string, std::string> kTypes = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".json", "application/json"},
      {".txt", "text/plain; charset=utf-8"},
      {".ico", "image/x-icon"},
      {".webmanifest", "application/manifest+json"}};
  const auto dot = path.rfind('.');
  if (dot != std::string::npos)
    if (auto it = kTypes.find(path.substr(dot)); it != kTypes.end()) return it->second;
  return "application/octet-stream";
}

/// A strong ETag from the content (64-bit FNV-1a): equal bytes, equal tag, across restarts.
std::string etag_of_bytes(std::string_view bytes) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string tag = "\"";
  for (int shift = 60; shift >= 0; shift -= 4)
    tag += kHex[(h >> shift) & 0xf];
  return tag + "\"";
}

/// True when If-None-Match lists `etag` (or is `*`); weak tags compare by their opaque part.
bool none_match(const std::string& header, const std::string& etag) {
  if (header.empty()) return false;
  std::size_t pos = 0;
  while (pos < header.size()) {
    auto comma = header.find(',', pos);
    if (comma == std::string::npos) comma = header.size();
    auto item = header.substr(pos, comma - pos);
    const auto first = item.find_first_not_of(" \t");
    const auto last = item.find_last_not_of(" \t");
    item = first == std::string::npos ? "" : item.substr(first, last - first + 1);
    if (item.rfind("W/", 0) == 0) item = item.substr(2);
    if (item == "*" || item == etag) return true;
    pos = comma + 1;
  }
  return false;
}

struct Asset {
  std::string_view bytes;
  std::string etag;
  std::string content_type;
};

bool is_loopback(const std::string& host) {
  return host == "127.0.0.1" || host == "::1" || host == "localhost" || host.rfind("127.", 0) == 0;
}

}  // namespace

UiMode ui_mode_of(const runtime::Config& config, bool jwt_mode) {
  const auto it = config.values.find("ui");
  const std::string v = it == config.values.end() ? "on" : it->second;
  if (v == "on" || v == "true" || v == "1" || v == "yes") return UiMode::on;
  if (v == "off" || v == "false" || v == "0" || v == "no") return UiMode::off;
  if (v != "local") throw std::invalid_argument("--ui: '" + v + "' is not one of on, off, local");
  if (!is_loopback(config.bind_address))
    throw std::invalid_argument("--ui local needs a loopback --bind (e.g. 127.0.0.1), not '" +
                                config.bind_address + "'");
  if (jwt_mode) throw std::invalid_argument("--ui local cannot be combined with JWT mode");
  return UiMode::local;
}

/// Registers /ui/, /ui/config.json, /ui/{asset}, the analytics series and the operator view's
/// runs in flight. The dashboard's schedule previews and upcoming runs use the public endpoints
/// (schedule_routes.cpp).
void HttpServer::Impl::install_ui_routes() {
  add("GET", "/api/v1/analytics/series", "/api/v1/analytics/series",
      [this](const httplib::Request& req, httplib::Response& res) {
        const auto c = caller(req);
        send_json(res, 200, analytics_series(rt.repository(), c.user_id, req, rt.clock().now()));
      });

  // The operator view's runs in flight with their lease owners (internal credentials only).
  add("GET", "/api/v1/scheduler/running", "/api/v1/scheduler/running",
      [this](const httplib::Request& req, httplib::Response& res) {
        if (!caller(req, false).internal) throw PermissionDenied("scheduler.running");
        const auto limit =
            static_cast<int>(query_int(query_param(req, "limit"), "limit", 1, 100, 100));
        auto opt_time = [](const std::optional<Timestamp>& t) -> json::value {
          return t ? json::value(format_rfc3339(*t)) : json::value(nullptr);
        };
        auto opt_text = [](const std::optional<std::string>& s) -> json::value {
          return s ? json::value(*s) : json::value(nullptr);
        };
        json::array out;
        for (const auto& r : rt.repository().list_runs_in_flight(limit))
          out.push_back(json::object{{"task_id", r.task_id},
                                     {"user_id", r.user_id},
                                     {"name", r.name},
                                     {"task_type", to_string(r.task_type)},
                                     {"lease_owner", opt_text(r.lease_owner)},
                                     {"lease_expires_at", opt_time(r.lease_expires_at)},
                                     {"execution_id", opt_text(r.execution_id)},
                                     {"trigger_type", r.trigger ? json::value(to_string(*r.trigger))
                                                                : json::value(nullptr)},
                                     {"scheduled_for", opt_time(r.scheduled_for)},
                                     {"started_at", opt_time(r.started_at)}});
        send_json(res, 200, out);
      });

  const UiMode mode = ui_mode_of(rt.config(), auth.jwt_mode());
  if (mode == UiMode::off) return;
  auto assets = std::make_shared<std::map<std::string, Asset>>();
  for (const auto& f : ui_assets())
    (*assets)[f.path] = Asset{f.bytes, etag_of_bytes(f.bytes), content_type_of(f.path)};

  auto serve = [assets](const std::string& path, const httplib::Request& req,
                        httplib::Response& res) {
    set_ui_headers(res);
    const auto it = assets->find(path);
    if (it == assets->end()) {
      send_json(res, 404, json::object{{"detail", "Not Found"}});
      return;
    }
    // Revalidate every time (names carry no version): a 304 costs one round trip, and a new
    // server version is picked up on the next load.
    res.set_header("Cache-Control", "no-cache");
    res.set_header("ETag", it->second.etag);
    if (none_match(req.get_header_value("If-None-Match"), it->second.etag)) {
      res.status = 304;
      return;
    }
    res.status = 200;
    res.set_content(std::string(it->second.bytes), it->second.content_type);
  };
  add("GET", "/ui", "/ui", [](const httplib::Request&, httplib::Response& res) {
    set_ui_headers(res);
    res.set_redirect("/ui/", 301);
  });
  add("GET", "/ui/", "/ui/", [serve](const httplib::Request& req, httplib::Response& res) {
    serve("index.html", req, res);
  });
  add("GET", "/ui/config.json", "/ui/config.json",
      [this, mode](const httplib::Request& req, httplib::Response& res) {
        set_ui_headers(res);
        res.set_header("Cache-Control", "no-store");
        std::string mode_name = "gateway";
        if (auth.jwt_mode()) mode_name = "jwt";
        if (mode == UiMode::local) mode_name = "local";
        json::value user = nullptr;
        const auto given = req.get_header_value("X-User-ID");
        if (mode_name == "gateway" && valid_user_id(given)) user = json::string(given);
        send_json(
            res, 200,
            json::object{{"auth", mode_name}, {"user_id", user}, {"version", options.version}});
      });
  add("GET", R"(/ui/([A-Za-z0-9_./-]+))", "/ui/{asset}",
      [serve](const httplib::Request& req, httplib::Response& res) {
        const auto path = req.matches[1].str();
        if (path.find("..") != std::string::npos) {
          set_ui_headers(res);
          send_json(res, 404, json::object{{"detail", "Not Found"}});
          return;
        }
        serve(path, req, res);
      });
}

bool refuse_cross_site_write(const httplib::Request& req, httplib::Response& res) {
  if (req.method == "GET" || req.method == "HEAD" || req.method == "OPTIONS") return false;
  bool cross = false;
  const auto site = req.get_header_value("Sec-Fetch-Site");
  if (!site.empty()) {
    cross = site != "same-origin" && site != "none";
  } else if (req.has_header("Origin")) {
    const auto origin = req.get_header_value("Origin");
    const auto scheme = origin.find("://");
    const auto origin_host = scheme == std::string::npos ? "" : origin.substr(scheme + 3);
    auto host = req.get_header_value("X-Forwarded-Host");
    if (host.empty()) host = req.get_header_value("Host");
    cross = origin_host.empty() || origin_host != host;
  }
  if (!cross) return false;
  send_json(res, 403,
            json::object{{"detail", "Permission denied"}, {"action", "cross_site_request"}});
  return true;
}

}  // namespace task::server
