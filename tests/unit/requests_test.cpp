#include <catch2/catch.hpp>

#include "task/core/errors.hpp"
#include "task/rules/requests.hpp"
#include "test_support.hpp"

using namespace task;
using task::test::J;
using task::test::T;

namespace {

const Timestamp kNow = T("2026-11-26T10:00:00Z");

/// The field errors a call throws (empty when it does not throw a ValidationError).
template <class F>
std::vector<FieldError> errors_of(F&& f) {
  try {
    f();
  } catch (const ValidationError& e) {
    return e.errors;
  }
  return {};
}

bool has_error(const std::vector<FieldError>& errs, std::vector<std::string> loc,
               const std::string& type = "") {
  for (const auto& e : errs)
    if (e.loc == loc && (type.empty() || e.type == type)) return true;
  return false;
}

std::vector<FieldError> create_errors(const char* body) {
  return errors_of([&] { parse_create_request(J(body), kNow); });
}

}  // namespace

TEST_CASE("create: minimal todo gets defaults", "[rules][create]") {
  const auto r = parse_create_request(J(R"({"name":"  Buy milk ","task_type":"todo"})"), kNow);
  CHECK(r.name == "Buy milk");
  CHECK(r.task_type == TaskType::todo);
  CHECK(r.priority == Priority::medium);
  CHECK(r.config.empty());
  CHECK_FALSE(r.schedule);
  CHECK(r.credits_per_run == 0);
  CHECK(r.tags.empty());
}

TEST_CASE("create: every problem is reported with its location", "[rules][create]") {
  auto errs =
      create_errors(R"({"description":5,"priority":"highest","config":[],"credits_per_run":-1,
                                "tags":"x","metadata":3,"due_date":"2026-02-30T00:00:00Z"})");
  CHECK(has_error(errs, {"body", "name"}, "missing"));
  CHECK(has_error(errs, {"body", "task_type"}, "missing"));
  CHECK(has_error(errs, {"body", "description"}, "string_type"));
  CHECK(has_error(errs, {"body", "priority"}, "enum"));
  CHECK(has_error(errs, {"body", "config"}, "dict_type"));
  CHECK(has_error(errs, {"body", "credits_per_run"}, "greater_than_equal"));
  CHECK(has_error(errs, {"body", "tags"}, "list_type"));
  CHECK(has_error(errs, {"body", "metadata"}, "dict_type"));
  CHECK(has_error(errs, {"body", "due_date"}, "datetime_parsing"));
  CHECK(errors_of([] { parse_create_request(J("[1]"), kNow); }).at(0).loc ==
        std::vector<std::string>{"body"});
}

TEST_CASE("create: name and description limits", "[rules][create]") {
  CHECK(has_error(create_errors(R"({"name":"   ","task_type":"todo"})"), {"body", "name"},
                  "string_too_short"));
  const std::string n255(255, 'a'), n256(256, 'a');
  CHECK(create_errors(("{\"name\":\"" + n255 + "\",\"task_type\":\"todo\"}").c_str()).empty());
  CHECK(has_error(create_errors(("{\"name\":\"" + n256 + "\",\"task_type\":\"todo\"}").c_str()),
                  {"body", "name"}, "string_too_long"));
  const std::string d10k(10000, 'd');
  CHECK(create_errors(
            ("{\"name\":\"x\",\"task_type\":\"todo\",\"description\":\"" + d10k + "\"}").c_str())
            .empty());
  CHECK(has_error(
      create_errors(
          ("{\"name\":\"x\",\"task_type\":\"todo\",\"description\":\"" + d10k + "d\"}").c_str()),
      {"body", "description"}, "string_too_long"));
  CHECK(has_error(create_errors(R"({"name":1,"task_type":"todo"})"), {"body", "name"},
                  "string_type"));
  CHECK(has_error(create_errors(R"({"name":"x","task_type":"chores"})"), {"body", "task_type"},
                  "enum"));
  CHECK(has_error(create_errors(R"({"name":"x","task_type":"todo","credits_per_run":"1"})"),
                  {"body", "credits_per_run"}, "float_type"));
  CHECK(has_error(create_errors(R"({"name":"x","task_type":"todo","credits_per_run":true})"),
                  {"body", "credits_per_run"}, "float_type"));
}

TEST_CASE("tags: trimmed, deduplicated, bounded", "[rules][tags]") {
  CHECK((validate_tags(J(R"([" a ","b","a",  "b "])"), {"body", "tags"}) ==
         std::vector<std::string>{"a", "b"}));
  CHECK(has_error(errors_of([] {
                    validate_tags(J(R"(["ok",""])"), {"body", "tags"});
                  }),
                  {"body", "tags", "1"}, "string_too_short"));
  CHECK(has_error(errors_of([] {
                    validate_tags(J(R"([3])"), {"body", "tags"});
                  }),
                  {"body", "tags", "0"}, "string_type"));
  const std::string long_tag(65, 't');
  CHECK(has_error(
      errors_of([&] {
        validate_tags(boost::json::array{boost::json::string(long_tag)}, {"body", "tags"});
      }),
      {"body", "tags", "0"}, "string_too_long"));
  boost::json::array fifty, fifty_one, dup;
  for (int i = 0; i < 51; ++i) {
    if (i < 50) fifty.emplace_back("t" + std::to_string(i));
    fifty_one.emplace_back("t" + std::to_string(i));
    dup.emplace_back("same");
  }
  CHECK(validate_tags(fifty, {"body", "tags"}).size() == 50);
  CHECK(validate_tags(dup, {"body", "tags"}).size() == 1);  // 51 copies of one tag: fine
  CHECK(has_error(errors_of([&] {
                    validate_tags(fifty_one, {"body", "tags"});
                  }),
                  {"body", "tags"}, "too_long"));
}

TEST_CASE("config rules per task type", "[rules][config]") {
  const auto cfg_err = [](TaskType t, const char* cfg) {
    return errors_of([&] { validate_config(t, J(cfg).as_object(), "Name", std::nullopt); });
  };
  using L = std::vector<std::string>;
  CHECK(cfg_err(TaskType::daily_weather, R"({"location":"Berlin"})").empty());
  CHECK(cfg_err(TaskType::daily_weather, R"({"location":{"lat":1,"lon":2}})").empty());
  CHECK(has_error(cfg_err(TaskType::daily_weather, "{}"), L{"body", "config", "location"},
                  "missing"));
  CHECK(has_error(cfg_err(TaskType::daily_weather, R"({"location":7})"),
                  L{"body", "config", "location"}, "string_type"));
  CHECK(has_error(cfg_err(TaskType::weather_alert, R"({"location":"X"})"),
                  L{"body", "config", "alert_conditions"}, "missing"));
  CHECK(has_error(cfg_err(TaskType::weather_alert, R"({"location":"X","alert_conditions":1})"),
                  L{"body", "config", "alert_conditions"}, "dict_type"));
  CHECK(cfg_err(TaskType::weather_alert, R"({"location":"X","alert_conditions":{}})").empty());
  CHECK(cfg_err(TaskType::news_monitor, R"({"keywords":["ai"]})").empty());
  CHECK(has_error(cfg_err(TaskType::news_monitor, R"({"keywords":[]})"),
                  L{"body", "config", "keywords"}, "too_short"));
  CHECK(has_error(cfg_err(TaskType::news_monitor, R"({"keywords":"ai"})"),
                  L{"body", "config", "keywords"}, "list_type"));
  CHECK(has_error(cfg_err(TaskType::news_monitor, R"({"keywords":["ai",2]})"),
                  L{"body", "config", "keywords", "1"}, "string_type"));
  CHECK(
      has_error(cfg_err(TaskType::news_monitor, "{}"), L{"body", "config", "keywords"}, "missing"));
  CHECK(cfg_err(TaskType::price_tracker, R"({"product_url":"https://x","target_price":9.5})")
            .empty());
  CHECK(has_error(
      cfg_err(TaskType::price_tracker, R"({"product_url":"https://x","target_price":"9"})"),
      L{"body", "config", "target_price"}, "float_type"));
  CHECK(has_error(cfg_err(TaskType::price_tracker, R"({"target_price":9})"),
                  L{"body", "config", "product_url"}, "missing"));
  CHECK(cfg_err(TaskType::custom, R"({"url":"https://example.com/hook"})").empty());
  CHECK(cfg_err(TaskType::custom, R"({"webhook_url":"HTTP://example.com"})").empty());
  CHECK(has_error(cfg_err(TaskType::custom, R"({"url":"ftp://example.com"})"),
                  L{"body", "config", "url"}, "url_scheme"));
  CHECK(has_error(cfg_err(TaskType::custom, R"({"url":"https://"})"), L{"body", "config", "url"}));
  CHECK(has_error(cfg_err(TaskType::custom, "{}"), L{"body", "config", "url"}, "missing"));
  for (auto t : {TaskType::daily_news, TaskType::data_backup, TaskType::todo})
    CHECK(cfg_err(t, "{}").empty());
}

TEST_CASE("webhook method and headers: tokens only, no CR/LF/NUL (issue 12 #3)",
          "[rules][config]") {
  const auto cfg_err = [](const boost::json::object& cfg) {
    return errors_of([&] { validate_config(TaskType::custom, cfg, "Name", std::nullopt); });
  };
  using L = std::vector<std::string>;
  const boost::json::string_view url = "https://example.com/hook";
  for (const char* m : {"GET", "head", "POST", "put", "Patch", "DELETE", "OPTIONS"})
    CHECK(cfg_err({{"url", url}, {"method", m}}).empty());
  for (const char* m : {"POST / HTTP/1.1\r\nX-Injected: 1\r\n\r\nGET", "POST\r\n", "CONNECT",
                        "TRACE", "", "PO ST", "BREW"})
    CHECK(has_error(cfg_err({{"url", url}, {"method", m}}), L{"body", "config", "method"}, "enum"));
  CHECK(has_error(cfg_err({{"url", url}, {"method", 1}}), L{"body", "config", "method"},
                  "string_type"));
  CHECK(cfg_err({{"url", url},
                 {"headers", {{"X-Token", "abc"}, {"X-N", 5}, {"X-Tab", "a\tb"}, {"X-U", "é"}}}})
            .empty());
  CHECK(cfg_err({{"url", url}, {"headers", nullptr}}).empty());
  CHECK(has_error(cfg_err({{"url", url}, {"headers", "X-A: 1"}}), L{"body", "config", "headers"},
                  "dict_type"));
  for (const char* v : {"a\r\nX-Injected: 1", "a\nb", "a\rb", "a\x01z"})
    CHECK(has_error(cfg_err({{"url", url}, {"headers", {{"X-A", v}}}}),
                    L{"body", "config", "headers", "X-A"}, "header_value"));
  CHECK(has_error(cfg_err({{"url", url}, {"headers", {{"X-A", std::string("a\0b", 3)}}}}),
                  L{"body", "config", "headers", "X-A"}, "header_value"));
  for (const char* n : {"X A", "X-A\r\nX-B", "X:A", "", "X\xc3\xa9"})
    CHECK(has_error(cfg_err({{"url", url}, {"headers", {{n, "v"}}}}),
                    L{"body", "config", "headers", n}, "header_name"));
  // The URL itself may not carry CR/LF either.
  CHECK(has_error(cfg_err({{"url", "https://example.com/\r\nX: 1"}}), L{"body", "config", "url"},
                  "url_scheme"));
}

TEST_CASE("config defaults: reminder message and calendar event_time", "[rules][config]") {
  auto r = validate_config(TaskType::reminder, {}, "Call mom", std::nullopt);
  CHECK(r.at("message") == "Call mom");
  r = validate_config(TaskType::reminder, J(R"({"message":"hi"})").as_object(), "N", std::nullopt);
  CHECK(r.at("message") == "hi");
  const auto due = T("2026-12-01T09:00:00+01:00");
  auto c = validate_config(TaskType::calendar_event, {}, "Meeting", due);
  CHECK(c.at("event_time") == "2026-12-01T08:00:00Z");
  c = validate_config(TaskType::calendar_event,
                      J(R"({"event_time":"2026-12-02T10:00:00Z"})").as_object(), "M", due);
  CHECK(c.at("event_time") == "2026-12-02T10:00:00Z");
  CHECK(
      has_error(errors_of([] { validate_config(TaskType::calendar_event, {}, "M", std::nullopt); }),
                {"body", "config", "event_time"}, "missing"));
  CHECK(has_error(errors_of([] {
                    validate_config(TaskType::calendar_event,
                                    J(R"({"event_time":"2026-02-30T10:00:00Z"})").as_object(), "M",
                                    std::nullopt);
                  }),
                  {"body", "config", "event_time"}, "datetime_parsing"));
}

TEST_CASE("create with a schedule: status and first slot", "[rules][create]") {
  const auto r = parse_create_request(
      J(R"({"name":"w","task_type":"daily_weather","config":{"location":"Oslo"},
            "schedule":{"type":"interval","interval_seconds":60}})"),
      kNow);
  REQUIRE(r.schedule);
  const auto t = build_new_task(r, "tsk_x", "u", kNow);
  CHECK(t.status == TaskStatus::scheduled);
  REQUIRE(t.next_run_time);
  CHECK(*t.next_run_time > kNow - std::chrono::seconds{1});
  CHECK(t.schedule->at("type") == "interval");
  const auto plain = build_new_task(
      parse_create_request(J(R"({"name":"t","task_type":"todo"})"), kNow), "tsk_y", "u", kNow);
  CHECK(plain.status == TaskStatus::pending);
  CHECK_FALSE(plain.next_run_time);
  CHECK(plain.created_at == kNow);
  const auto errs = create_errors(
      R"({"name":"t","task_type":"todo","schedule":{"type":"cron","expression":"61 * * * *"}})");
  REQUIRE_FALSE(errs.empty());
  CHECK(errs[0].loc.at(1) == "schedule");
}

TEST_CASE("update: partial, nulls clear, forbidden fields", "[rules][update]") {
  const auto r = parse_update_request(
      J(R"({"name":" n ","description":null,"due_date":null,"schedule":null,"reminder_time":"2026-12-01T00:00:00Z","priority":"high"})"),
      kNow);
  CHECK(*r.name == "n");
  REQUIRE(r.description);
  CHECK_FALSE(*r.description);
  REQUIRE(r.due_date);
  CHECK_FALSE(*r.due_date);
  REQUIRE(r.schedule);
  CHECK_FALSE(*r.schedule);
  REQUIRE(r.reminder_time);
  CHECK(**r.reminder_time == T("2026-12-01T00:00:00Z"));
  CHECK(*r.priority == Priority::high);
  CHECK_FALSE(r.status);
  CHECK_FALSE(r.tags);
  const auto errs = errors_of([] {
    parse_update_request(J(R"({"task_id":"x","user_id":"u","task_type":"todo","created_at":"x",
                               "name":null,"status":"running2","tags":[1]})"),
                         kNow);
  });
  for (const char* k : {"task_id", "user_id", "task_type", "created_at"})
    CHECK(has_error(errs, {"body", k}, "extra_forbidden"));
  CHECK(has_error(errs, {"body", "name"}, "string_type"));
  CHECK(has_error(errs, {"body", "status"}, "enum"));
  CHECK(has_error(errs, {"body", "tags", "0"}, "string_type"));
  CHECK(parse_update_request(J("{}"), kNow).name == std::nullopt);
  CHECK(parse_update_request(J(R"({"unknown":1})"), kNow).name == std::nullopt);
}

TEST_CASE("from-template: flat and nested forms", "[rules][template]") {
  const auto flat = parse_from_template_request(
      J(R"({"template_id":"tpl_x","name":"A","config":{"k":1},"priority":"low"})"), kNow);
  CHECK(flat.template_id == "tpl_x");
  CHECK(*flat.name == "A");
  CHECK(flat.config.at("k") == 1);
  CHECK(*flat.priority == Priority::low);
  const auto nested = parse_from_template_request(
      J(R"({"template_id":"tpl_x","name":"flat","customization":{"name":"B","config":{"k":2},"tags":["t"]}})"),
      kNow);
  CHECK(*nested.name == "B");
  CHECK(nested.config.at("k") == 2);
  CHECK(nested.tags->at(0) == "t");
  auto errs = errors_of([] { parse_from_template_request(J(R"({"name":"x"})"), kNow); });
  CHECK(has_error(errs, {"body", "template_id"}, "missing"));
  errs = errors_of([] {
    parse_from_template_request(J(R"({"template_id":"t","customization":{"priority":"x"}})"), kNow);
  });
  CHECK(has_error(errs, {"body", "customization", "priority"}, "enum"));
  errs = errors_of(
      [] { parse_from_template_request(J(R"({"template_id":"t","customization":3})"), kNow); });
  CHECK(has_error(errs, {"body", "customization"}, "dict_type"));
}

TEST_CASE("execute body: trigger types and alias", "[rules][execute]") {
  CHECK(parse_execute_request(nullptr).trigger_type == TriggerType::manual);
  CHECK(parse_execute_request(J("{}")).trigger_type == TriggerType::manual);
  CHECK(parse_execute_request(J(R"({"trigger_type":"scheduler"})")).trigger_type ==
        TriggerType::scheduled);
  const auto r = parse_execute_request(J(R"({"trigger_type":"webhook","trigger_data":{"a":1}})"));
  CHECK(r.trigger_type == TriggerType::webhook);
  CHECK(r.trigger_data.at("a") == 1);
  CHECK(has_error(errors_of([] { parse_execute_request(J(R"({"trigger_type":"cron"})")); }),
                  {"body", "trigger_type"}, "enum"));
  CHECK(has_error(errors_of([] { parse_execute_request(J(R"({"trigger_data":[1]})")); }),
                  {"body", "trigger_data"}, "dict_type"));
}

TEST_CASE("list query: filters, bounds and echo", "[rules][list]") {
  const auto r = parse_list_query({{"status", "pending"},
                                   {"task_type", "todo"},
                                   {"priority", "urgent"},
                                   {"tag", "a"},
                                   {"tag", " b "},
                                   {"tag", "a"},
                                   {"due_before", "2026-12-01T00:00:00+01:00"},
                                   {"due_after", "2026-11-01"},
                                   {"q", "Milk"},
                                   {"limit", "10"},
                                   {"offset", "20"}});
  CHECK(*r.query.status == TaskStatus::pending);
  CHECK(*r.query.task_type == TaskType::todo);
  CHECK(*r.query.priority == Priority::urgent);
  CHECK((r.query.tags == std::vector<std::string>{"a", "b"}));
  CHECK(*r.query.due_before == T("2026-11-30T23:00:00Z"));
  CHECK(*r.query.due_after == T("2026-11-01T00:00:00Z"));
  CHECK(*r.query.q == "Milk");
  CHECK(r.query.limit == 10);
  CHECK(r.query.offset == 20);
  CHECK(r.filters.at("status") == "pending");
  CHECK(r.filters.at("tags").as_array().size() == 2);
  CHECK(r.filters.at("due_before") == "2026-11-30T23:00:00Z");
  const auto d = parse_list_query({});
  CHECK(d.query.limit == 100);
  CHECK(d.query.offset == 0);
  CHECK(d.filters.empty());
  using P = QueryParams;
  const auto bad = [](P p, std::vector<std::string> loc, std::string type) {
    return has_error(errors_of([&] { parse_list_query(p); }), loc, type);
  };
  CHECK(bad(P{{"limit", "0"}}, {"query", "limit"}, "greater_than_equal"));
  CHECK(bad(P{{"limit", "101"}}, {"query", "limit"}, "less_than_equal"));
  CHECK(bad(P{{"limit", "ten"}}, {"query", "limit"}, "int_parsing"));
  CHECK(bad(P{{"limit", "1.5"}}, {"query", "limit"}, "int_parsing"));
  CHECK(bad(P{{"offset", "-1"}}, {"query", "offset"}, "greater_than_equal"));
  CHECK(bad(P{{"offset", "99999999999"}}, {"query", "offset"}, "less_than_equal"));
  CHECK(bad(P{{"status", "done"}}, {"query", "status"}, "enum"));
  CHECK(bad(P{{"task_type", "x"}}, {"query", "task_type"}, "enum"));
  CHECK(bad(P{{"priority", "High"}}, {"query", "priority"}, "enum"));
  CHECK(bad(P{{"due_before", "2026-02-30"}}, {"query", "due_before"}, "datetime_parsing"));
  CHECK(bad(P{{"cursor", "!!!"}}, {"query", "cursor"}, "value_error"));
  CHECK(bad(P{{"cursor", "eyJ4IjoxfQ"}}, {"query", "cursor"}, "value_error"));  // {"x":1}
  CHECK(parse_list_query({{"limit", "1"}}).query.limit == 1);
  CHECK(parse_list_query({{"limit", "100"}}).query.limit == 100);
}

TEST_CASE("cursor round trip and misuse", "[rules][list]") {
  const TaskQuery::After a{T("2026-11-26T10:00:00.123456Z"), 42};
  const auto c = encode_cursor(a);
  CHECK(c.find_first_of("+/=") == std::string::npos);
  const auto d = decode_cursor(c);
  REQUIRE(d);
  CHECK(d->created_at == a.created_at);
  CHECK(d->id == 42);
  CHECK(parse_list_query({{"cursor", c}}).query.after->id == 42);
  CHECK_FALSE(decode_cursor(""));
  CHECK_FALSE(decode_cursor(c.substr(0, c.size() - 3)));
  CHECK(has_error(errors_of([&] {
                    parse_list_query({{"cursor", c}, {"offset", "5"}});
                  }),
                  {"query", "cursor"}));
}

TEST_CASE("page parameters", "[rules][list]") {
  CHECK(parse_page({}, 50).limit == 50);
  CHECK(parse_page({{"limit", "100"}, {"offset", "3"}}, 50).offset == 3);
  CHECK_THROWS_AS(parse_page({{"limit", "101"}}, 50), ValidationError);
  CHECK(parse_int_param({{"days", "365"}}, "days", 1, 365, 30) == 365);
  CHECK(parse_int_param({}, "days", 1, 365, 30) == 30);
  CHECK_THROWS_AS(parse_int_param({{"days", "0"}}, "days", 1, 365, 30), ValidationError);
}
