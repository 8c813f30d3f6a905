#include <catch2/catch.hpp>
#include <set>

#include "task/core/errors.hpp"
#include "task/memory/memory_repository.hpp"
#include "task/rules/builtin_templates.hpp"
#include "task/rules/status.hpp"
#include "test_support.hpp"

using namespace task;
using task::test::Fixture;
using task::test::J;
using task::test::T;

namespace {

std::vector<std::string> outbox_types(memory::MemoryRepository& repo) {
  std::vector<std::string> out;
  for (const auto& e : repo.fetch_outbox(1000))
    out.push_back(e.event.type);
  return out;
}

}  // namespace

TEST_CASE("service: create, get, and the created event in the outbox", "[service]") {
  Fixture f;
  const auto t = f.create(f.alice, R"({"name":"Buy milk","task_type":"todo","tags":["home"]})");
  CHECK(is_generated_id(t.task_id, "tsk_"));
  CHECK(t.id > 0);
  CHECK(t.version == 1);
  CHECK(t.status == TaskStatus::pending);
  CHECK(t.user_id == "alice");
  CHECK(f.service.get_task(f.alice, t.task_id).name == "Buy milk");
  const auto outbox = f.repo->fetch_outbox(10);
  REQUIRE(outbox.size() == 1);
  CHECK(outbox[0].event.type == "task.created");
  CHECK(outbox[0].event.data.at("task_id").as_string() == t.task_id);
  CHECK_THROWS_AS(f.service.create_task(f.alice, J(R"({"task_type":"todo"})")), ValidationError);
  CHECK(f.repo->fetch_outbox(10).size() == 1);  // nothing written on a 422
}

TEST_CASE("service: ownership — missing, deleted and foreign tasks are the same NotFound",
          "[service]") {
  Fixture f;
  const auto t = f.create(f.alice, R"({"name":"a","task_type":"todo"})");
  const auto expect_not_found = [&](auto&& call) {
    try {
      call();
      FAIL("no NotFound");
    } catch (const NotFound& e) {
      CHECK(e.resource == "task");
    }
  };
  for (const std::string& id : {t.task_id, std::string("tsk_missing")}) {
    expect_not_found([&] { f.service.get_task(f.bob, id); });
    expect_not_found([&] { f.service.update_task(f.bob, id, J(R"({"name":"x"})")); });
    expect_not_found([&] { f.service.delete_task(f.bob, id); });
    expect_not_found([&] { f.service.execute(f.bob, id); });
    expect_not_found([&] { f.service.list_executions(f.bob, id, QueryParams{}); });
  }
  CHECK(f.service.delete_task(f.alice, t.task_id).deleted_at == f.clock->now());
  expect_not_found([&] { f.service.get_task(f.alice, t.task_id); });
  expect_not_found([&] { f.service.delete_task(f.alice, t.task_id); });
  expect_not_found([&] { f.service.execute(f.alice, t.task_id); });
  CHECK(f.service.list_tasks(f.alice, QueryParams{}).total == 0);
  CHECK((outbox_types(*f.repo) == std::vector<std::string>{"task.created", "task.deleted"}));
}

TEST_CASE("service: task quota per level", "[service][quota]") {
  Fixture f;
  Caller free_user{"f", SubscriptionLevel::free, false};
  for (int i = 0; i < 5; ++i)
    f.create(free_user, R"({"name":"t","task_type":"todo"})");
  try {
    f.create(free_user, R"({"name":"t","task_type":"todo"})");
    FAIL("no LimitExceeded");
  } catch (const LimitExceeded& e) {
    CHECK(e.limit_type == "tasks");
    CHECK(e.limit == 5);
  }
  // Deleting frees a slot; enterprise is unlimited; the table is configurable.
  const auto first = f.service.list_tasks(free_user, QueryParams{}).tasks.front();
  f.service.delete_task(free_user, first.task_id);
  f.create(free_user, R"({"name":"t","task_type":"todo"})");
  Caller ent{"e", SubscriptionLevel::enterprise, false};
  for (int i = 0; i < 120; ++i)
    f.create(ent, R"({"name":"t","task_type":"todo"})");
  ServiceOptions opts;
  opts.quotas.tasks[static_cast<std::size_t>(SubscriptionLevel::basic)] = 1;
  Fixture g(opts);
  g.create(g.alice, R"({"name":"t","task_type":"todo"})");
  CHECK_THROWS_AS(g.create(g.alice, R"({"name":"t","task_type":"todo"})"), LimitExceeded);
}

TEST_CASE("service: list ordering, filters, totals and cursor", "[service][list]") {
  Fixture f;
  std::vector<std::string> ids;
  for (int i = 0; i < 7; ++i) {
    const std::string body =
        "{\"name\":\"Task " + std::to_string(i) + "\",\"task_type\":\"todo\",\"priority\":\"" +
        (i % 2 ? "high" : "low") + "\",\"tags\":[\"t" + std::to_string(i % 3) +
        "\",\"all\"],\"due_date\":\"2026-12-0" + std::to_string(i + 1) + "T00:00:00Z\"}";
    ids.push_back(f.create(f.alice, body.c_str()).task_id);
    if (i != 3) f.clock->advance(std::chrono::seconds{1});  // 3 and 4 share created_at
  }
  f.create(f.bob, R"({"name":"Task bob","task_type":"todo"})");
  auto all = f.service.list_tasks(f.alice, QueryParams{});
  REQUIRE(all.tasks.size() == 7);
  CHECK(all.total == 7);
  CHECK_FALSE(all.next_cursor);
  for (std::size_t i = 0; i < 7; ++i)
    CHECK(all.tasks[i].task_id == ids[6 - i]);  // newest first, ties by id desc
  // Pages through the cursor cover everything exactly once.
  std::vector<std::string> seen;
  QueryParams p{{"limit", "2"}};
  for (int guard = 0; guard < 10; ++guard) {
    auto page = f.service.list_tasks(f.alice, p);
    CHECK(page.total == 7);
    for (const auto& t : page.tasks)
      seen.push_back(t.task_id);
    if (!page.next_cursor) break;
    p = {{"limit", "2"}, {"cursor", *page.next_cursor}};
  }
  CHECK(seen == std::vector<std::string>(ids.rbegin(), ids.rend()));
  // Offset paging.
  auto off = f.service.list_tasks(f.alice, QueryParams{{"limit", "3"}, {"offset", "5"}});
  CHECK(off.tasks.size() == 2);
  CHECK(off.offset == 5);
  CHECK(off.limit == 3);
  CHECK(f.service.list_tasks(f.alice, QueryParams{{"priority", "high"}}).total == 3);
  CHECK(f.service.list_tasks(f.alice, QueryParams{{"tag", "t1"}, {"tag", "all"}}).total == 2);
  CHECK(f.service.list_tasks(f.alice, QueryParams{{"tag", "t1"}, {"tag", "nope"}}).total == 0);
  CHECK(f.service.list_tasks(f.alice, QueryParams{{"q", "task 3"}}).total == 1);
  CHECK(f.service.list_tasks(f.alice, QueryParams{{"due_before", "2026-12-03T00:00:00Z"}}).total ==
        2);
  CHECK(f.service.list_tasks(f.alice, QueryParams{{"due_after", "2026-12-03T00:00:00Z"}}).total ==
        4);
  auto filtered = f.service.list_tasks(f.alice, QueryParams{{"status", "pending"}});
  CHECK(filtered.filters.at("status") == "pending");
  CHECK_THROWS_AS(f.service.list_tasks(f.alice, QueryParams{{"status", "nope"}}), ValidationError);
}

TEST_CASE("service: update, events, no-op, If-Match", "[service][update]") {
  Fixture f;
  const auto t = f.create(f.alice, R"({"name":"a","task_type":"todo"})");
  auto u = f.service.update_task(f.alice, t.task_id, J(R"({"name":"b","status":"completed"})"));
  CHECK(u.task.name == "b");
  CHECK(u.task.version == 2);
  CHECK(u.task.is_completed);
  CHECK((std::set<std::string>(u.updated_fields.begin(), u.updated_fields.end()) ==
         std::set<std::string>{"name", "status"}));
  CHECK((outbox_types(*f.repo) ==
         std::vector<std::string>{"task.created", "task.updated", "task.status_changed"}));
  const auto noop = f.service.update_task(f.alice, t.task_id, J(R"({"name":"b"})"));
  CHECK(noop.updated_fields.empty());
  CHECK(noop.task.version == 2);
  CHECK(f.repo->fetch_outbox(100).size() == 3);  // nothing published
  try {
    f.service.update_task(f.alice, t.task_id, J(R"({"name":"c"})"), std::string("\"1\""));
    FAIL("no PreconditionFailed");
  } catch (const PreconditionFailed& e) {
    CHECK(e.current_etag == "\"2\"");
  }
  CHECK(
      f.service.update_task(f.alice, t.task_id, J(R"({"name":"c"})"), etag_of(u.task)).task.name ==
      "c");
  try {
    f.service.update_task(f.alice, t.task_id, J(R"({"status":"running"})"));
    FAIL("no Conflict");
  } catch (const Conflict& e) {
    CHECK(e.from == "completed");
    CHECK(e.to == "running");
  }
  CHECK_THROWS_AS(f.service.update_task(f.alice, t.task_id, J(R"({"task_type":"custom"})")),
                  ValidationError);
}

TEST_CASE("service: manual execution success and failure", "[service][execute]") {
  Fixture f;
  const auto t = f.create(f.alice, R"({"name":"hook","task_type":"custom","credits_per_run":2,
                                        "config":{"url":"https://example.com"}})");
  f.executor->behaviour = [&](const RunContext& ctx) {
    CHECK(ctx.task.status == TaskStatus::running);
    CHECK(ctx.execution.status == ExecutionStatus::running);
    f.clock->advance(std::chrono::milliseconds{250});
    return RunOutcome::ok(boost::json::object{{"status_code", 200}}, 1);
  };
  auto run = f.service.execute(f.alice, t.task_id,
                               parse_execute_request(J(R"({"trigger_data":{"k":1}})")));
  CHECK(run.execution.status == ExecutionStatus::completed);
  CHECK(run.execution.duration_ms == 250);
  CHECK(run.execution.credits_consumed == 2);
  CHECK(run.execution.trigger_data.at("k") == 1);
  CHECK_FALSE(run.execution.scheduled_for);
  CHECK(run.task.status == TaskStatus::completed);
  CHECK(run.task.run_count == 1);
  CHECK(run.task.total_credits_consumed == 2);
  // A completed task may run again; a failure flips it to failed.
  f.executor->behaviour = [](const RunContext&) { return RunOutcome::fail("down", "HTTP_503"); };
  run = f.service.execute(f.alice, t.task_id);
  CHECK(run.execution.status == ExecutionStatus::failed);
  CHECK(run.task.status == TaskStatus::failed);
  CHECK(run.task.last_error == "down");
  CHECK(run.task.run_count == 2);
  const auto stored = f.repo->find_execution(run.execution.execution_id);
  REQUIRE(stored);
  CHECK(stored->status == ExecutionStatus::failed);
  const auto list = f.service.list_executions(f.alice, t.task_id, QueryParams{});
  CHECK(list.total == 2);
  CHECK(list.limit == 50);
  CHECK(list.executions.front().execution_id == run.execution.execution_id);
  const auto types = outbox_types(*f.repo);
  CHECK(std::count(types.begin(), types.end(), "task.executed") == 2);
}

TEST_CASE("service: executor missing or throwing becomes a failed run", "[service][execute]") {
  Fixture f;
  const auto t = f.create(f.alice, R"({"name":"x","task_type":"todo"})");
  f.executors->erase(TaskType::todo);
  auto run = f.service.execute(f.alice, t.task_id);
  CHECK(run.execution.status == ExecutionStatus::failed);
  CHECK(run.execution.error_details.at("error_code") == "PROVIDER_NOT_CONFIGURED");
  (*f.executors)[TaskType::todo] = f.executor;
  f.executor->behaviour = [](const RunContext&) -> RunOutcome { throw std::runtime_error("bad"); };
  run = f.service.execute(f.alice, t.task_id);
  CHECK(run.execution.error_details.at("error_code") == "EXECUTOR_EXCEPTION");
  CHECK(run.execution.error_message->find("bad") != std::string::npos);
  CHECK(run.task.failure_count == 2);
}

TEST_CASE("service: running and cancelled tasks cannot start; cancel while running",
          "[service][execute]") {
  Fixture f;
  const auto t = f.create(f.alice, R"({"name":"x","task_type":"todo"})");
  const auto started = f.service.start_execution(f.alice, t.task_id, ExecuteRequest{});
  CHECK(started.task.status == TaskStatus::running);
  CHECK(started.status_before_run == TaskStatus::pending);
  CHECK(f.repo->find_execution(started.execution.execution_id)->status == ExecutionStatus::running);
  try {
    f.service.start_execution(f.alice, t.task_id, ExecuteRequest{});
    FAIL("no Conflict");
  } catch (const Conflict& e) {
    CHECK(e.from == "running");
  }
  f.service.update_task(f.alice, t.task_id, J(R"({"status":"cancelled"})"));
  const auto done = f.service.finish_execution(started);
  CHECK(done.task.status == TaskStatus::cancelled);
  CHECK(done.execution.status == ExecutionStatus::completed);
  CHECK_THROWS_AS(f.service.execute(f.alice, t.task_id), Conflict);
}

TEST_CASE("service: daily execution quota counts from UTC midnight", "[service][quota]") {
  Fixture f;
  Caller free_user{"f", SubscriptionLevel::free, false};
  const auto t = f.create(free_user, R"({"name":"x","task_type":"todo"})");
  for (int i = 0; i < 10; ++i)
    f.service.execute(free_user, t.task_id);
  try {
    f.service.execute(free_user, t.task_id);
    FAIL("no LimitExceeded");
  } catch (const LimitExceeded& e) {
    CHECK(e.limit_type == "executions_per_day");
    CHECK(e.limit == 10);
  }
  f.clock->set(T("2026-11-27T00:00:00Z"));
  CHECK(f.service.execute(free_user, t.task_id).execution.status == ExecutionStatus::completed);
}

TEST_CASE("service: internal listings need an internal caller", "[service][scheduler]") {
  Fixture f;
  const auto t = f.create(f.alice, R"({"name":"every minute","task_type":"daily_news",
      "schedule":{"type":"interval","interval_seconds":60}})");
  REQUIRE(t.next_run_time);
  CHECK_THROWS_AS(f.service.pending_tasks(f.alice, QueryParams{}), PermissionDenied);
  CHECK_THROWS_AS(f.service.service_stats(f.alice), PermissionDenied);
  f.clock->set(*t.next_run_time + std::chrono::seconds{5});
  const auto due = f.service.pending_tasks(f.internal, QueryParams{});
  REQUIRE(due.size() == 1);
  CHECK(due[0].task_id == t.task_id);
  CHECK(f.service.service_stats(f.internal).tasks.by_status.at(TaskStatus::scheduled) == 1);
}

TEST_CASE("service: templates — visibility, gating, merge, required fields",
          "[service][templates]") {
  Fixture f;
  memory::load_builtin_templates(*f.repo, f.clock->now());
  Caller free_user{"f", SubscriptionLevel::free, false};
  Caller pro{"p", SubscriptionLevel::pro, false};
  const auto free_list = f.service.list_templates(free_user, QueryParams{});
  const auto pro_list = f.service.list_templates(pro, QueryParams{});
  CHECK(free_list.size() < pro_list.size());
  for (const auto& t : free_list)
    CHECK(t.required_subscription_level == SubscriptionLevel::free);
  for (std::size_t i = 1; i < pro_list.size(); ++i) {
    const auto a = to_string(pro_list[i - 1].category), b = to_string(pro_list[i].category);
    CHECK((a < b || (a == b && pro_list[i - 1].name <= pro_list[i].name)));
  }
  CHECK(f.service.list_templates(pro, QueryParams{{"category", "alerts"}}).size() == 2);
  CHECK(f.service.list_templates(pro, QueryParams{{"task_type", "todo"}}).size() == 1);
  CHECK_THROWS_AS(f.service.list_templates(pro, QueryParams{{"category", "x"}}), ValidationError);
  try {
    f.service.create_from_template(f.alice, J(R"({"template_id":"tpl_price_tracker"})"));
    FAIL("no UpgradeRequired");
  } catch (const UpgradeRequired& e) {
    CHECK(e.required_level == "pro");
  }
  try {
    f.service.create_from_template(
        pro, J(R"({"template_id":"tpl_price_tracker","config":{"product_url":"https://s"}})"));
    FAIL("no ValidationError");
  } catch (const ValidationError& e) {
    REQUIRE(e.errors.size() == 1);
    CHECK((e.errors[0].loc == std::vector<std::string>{"body", "config", "target_price"}));
  }
  try {
    f.service.create_from_template(pro, J(R"({"template_id":"tpl_nope"})"));
    FAIL("no NotFound");
  } catch (const NotFound& e) {
    CHECK(e.resource == "template");
  }
  const auto t = f.service.create_from_template(
      f.alice, J(R"({"template_id":"tpl_weather_alert","customization":{"config":{"location":"Rome",
                   "alert_conditions":{"wind":{"operator":">","value":50}}}}})"));
  CHECK(t.task_type == TaskType::weather_alert);
  CHECK(t.name == "Heat Alert");
  CHECK(t.credits_per_run == 1);
  CHECK(t.config.at("location") == "Rome");
  CHECK(t.config.at("alert_conditions").as_object().contains("temperature"));  // deep merge
  CHECK(t.config.at("alert_conditions").as_object().contains("wind"));
  CHECK(t.metadata.at("template_id") == "tpl_weather_alert");
  // An inactive template is a 404.
  auto tmpl = *f.repo->find_template("tpl_todo");
  tmpl.is_active = false;
  f.repo->upsert_template(tmpl);
  CHECK_THROWS_AS(f.service.create_from_template(f.alice, J(R"({"template_id":"tpl_todo"})")),
                  NotFound);
}

TEST_CASE("builtin templates: one per type, each instantiable with only its required fields",
          "[service][templates]") {
  Fixture f;
  memory::load_builtin_templates(*f.repo, f.clock->now());
  Caller ent{"e", SubscriptionLevel::enterprise, false};
  std::set<TaskType> types;
  const std::map<std::string, boost::json::value> samples{
      {"location", "Paris"},
      {"keywords", boost::json::array{"ai"}},
      {"product_url", "https://shop.example/p/1"},
      {"target_price", 19.99},
      {"reminder_time", "2026-12-01T09:00:00Z"},
      {"event_time", "2026-12-02T09:00:00Z"},
      {"url", "https://hooks.example/x"}};
  for (const auto& tmpl : f.service.list_templates(ent, QueryParams{})) {
    INFO(tmpl.template_id);
    types.insert(tmpl.task_type);
    boost::json::object body{{"template_id", tmpl.template_id}};
    boost::json::object config;
    for (const auto& field : tmpl.required_fields) {
      REQUIRE(samples.count(field));
      if (field == "reminder_time")
        body[field] = samples.at(field);
      else
        config[field] = samples.at(field);
    }
    body["config"] = config;
    const auto t = f.service.create_from_template(ent, body);
    CHECK(t.task_type == tmpl.task_type);
  }
  CHECK(types.size() == enum_count<TaskType>());
}

TEST_CASE("service: analytics through the service", "[service][analytics]") {
  Fixture f;
  const auto t = f.create(f.alice, R"({"name":"x","task_type":"todo"})");
  f.create(f.alice, R"({"name":"y","task_type":"custom","config":{"url":"https://a.b"}})");
  f.executor->behaviour = [&](const RunContext&) {
    f.clock->advance(std::chrono::seconds{2});
    return RunOutcome::ok(nullptr);
  };
  f.service.execute(f.alice, t.task_id);
  f.executor->behaviour = [](const RunContext&) { return RunOutcome::fail("x", "E"); };
  f.service.execute(f.alice, t.task_id);
  const auto a = f.service.analytics(f.alice, QueryParams{{"days", "7"}, {"tz", "Europe/Berlin"}});
  CHECK(a.time_period == "Last 7 days");
  CHECK(a.total_tasks == 2);
  CHECK(a.total_executions == 2);
  CHECK(a.success_rate == 50);
  CHECK(a.average_execution_time == 1);            // (2 s + 0 s) / 2
  CHECK(a.busiest_hours == std::vector<int>{11});  // 10:00Z is 11:00 in Berlin
  CHECK(a.busiest_days == std::vector<std::string>{"Thursday"});
  CHECK(a.task_types_distribution.at("custom") == 1);
  CHECK_THROWS_AS(f.service.analytics(f.alice, QueryParams{{"days", "366"}}), ValidationError);
  CHECK_THROWS_AS(f.service.analytics(f.alice, QueryParams{{"tz", "Nowhere/City"}}),
                  ValidationError);
  CHECK(f.service.analytics(f.bob, 30, std::nullopt).total_executions == 0);
}

TEST_CASE("service: subscription level resolution", "[service][level]") {
  struct Directory final : SubscriptionDirectory {
    std::optional<SubscriptionLevel> level_of(std::string_view user) override {
      if (user == "down") throw Unavailable("account service down");
      if (user == "dir") return SubscriptionLevel::pro;
      return std::nullopt;
    }
  };
  auto repo = std::make_shared<memory::MemoryRepository>();
  ServiceOptions opts;
  opts.default_level = SubscriptionLevel::free;
  TaskService svc(
      service_ports(repo, std::make_shared<ManualClock>(T("2026-11-26T00:00:00Z")),
                    std::make_shared<test::SequenceIds>(), nullptr, std::make_shared<Directory>()),
      opts);
  repo->set_user_level("stored", SubscriptionLevel::enterprise, T("2026-11-01T00:00:00Z"));
  CHECK(svc.resolve_level("stored", SubscriptionLevel::basic) == SubscriptionLevel::basic);
  CHECK(svc.resolve_level("stored") == SubscriptionLevel::enterprise);
  CHECK(svc.resolve_level("dir") == SubscriptionLevel::pro);
  CHECK(svc.resolve_level("unknown") == SubscriptionLevel::free);
  CHECK(svc.resolve_level("down") == SubscriptionLevel::free);
}

namespace {

/// A catalog of one template: a test double of the CatalogStore role (three methods).
struct OneTemplateCatalog final : CatalogStore {
  Template tmpl;
  std::vector<Template> list_templates(const TemplateQuery& q) override {
    if (q.max_level && !level_at_least(*q.max_level, tmpl.required_subscription_level)) return {};
    return {tmpl};
  }
  std::optional<Template> find_template(std::string_view id) override {
    if (id == tmpl.template_id) return tmpl;
    return std::nullopt;
  }
  Template upsert_template(const Template& t) override { return tmpl = t; }
};

}  // namespace

TEST_CASE("service: each storage role may come from its own object; none may be missing") {
  Fixture f;
  auto catalog = std::make_shared<OneTemplateCatalog>();
  for (const auto& t : builtin_templates(f.clock->now()))
    if (level_at_least(SubscriptionLevel::basic, t.required_subscription_level) &&
        t.required_fields.empty())
      catalog->tmpl = t;
  REQUIRE(!catalog->tmpl.template_id.empty());
  auto ports = service_ports(f.repo, f.clock, f.ids, f.executors);
  ports.catalog = catalog;
  TaskService service(ports);
  const auto listed = service.list_templates(f.alice, TemplateFilter{});
  REQUIRE(listed.size() == 1);  // from the catalog double; the memory repository holds none
  CHECK(listed[0].template_id == catalog->tmpl.template_id);
  CHECK(f.repo->list_templates(TemplateQuery{}).empty());
  const auto created = service.create_from_template(
      f.alice, J(("{\"template_id\":\"" + catalog->tmpl.template_id + "\"}").c_str()));
  CHECK(f.repo->find_task(created.task_id));  // the task itself goes to the TaskStore
  ports.outbox = nullptr;
  CHECK_THROWS_AS(TaskService(ports), std::invalid_argument);
}

namespace {
/// The memory store's levels, counting the lookups.
struct CountingUsers : UserStore {
  std::shared_ptr<memory::MemoryRepository> repo;
  int lookups = 0;
  explicit CountingUsers(std::shared_ptr<memory::MemoryRepository> r) : repo(std::move(r)) {}
  std::optional<SubscriptionLevel> find_user_level(std::string_view user_id) override {
    ++lookups;
    return repo->find_user_level(user_id);
  }
  void set_user_level(std::string_view user_id, SubscriptionLevel level, Timestamp at) override {
    repo->set_user_level(user_id, level, at);
  }
  std::vector<std::string> list_open_task_ids(std::string_view user_id) override {
    return repo->list_open_task_ids(user_id);
  }
};
}  // namespace

TEST_CASE("service: a caller without a level is looked up only by the operations that need it",
          "[service][level]") {
  Fixture f;
  auto users = std::make_shared<CountingUsers>(f.repo);
  auto ports = service_ports(f.repo, f.clock, f.ids, f.executors);
  ports.users = users;
  ServiceOptions options;
  options.quotas.tasks[static_cast<std::size_t>(SubscriptionLevel::free)] = 1;
  TaskService service(ports, options);
  f.repo->set_user_level("carol", SubscriptionLevel::free, T("2026-11-26T09:00:00Z"));
  const Caller carol{"carol", std::nullopt, false};

  const auto t = service.create_task(carol, J(R"({"name":"a","task_type":"todo"})"));
  CHECK(users->lookups == 1);  // the task quota
  // Reads, updates and lists cost no lookup.
  (void)service.get_task(carol, t.task_id);
  (void)service.update_task(carol, t.task_id, J(R"({"name":"b"})"));
  (void)service.list_tasks(carol, QueryParams{});
  (void)service.analytics(carol, QueryParams{});
  CHECK(users->lookups == 1);
  // The stored level is the one applied: free allows one task.
  CHECK_THROWS_AS(service.create_task(carol, J(R"({"name":"c","task_type":"todo"})")),
                  LimitExceeded);
  CHECK(users->lookups == 2);
  // Templates: the list and the gate see the stored level, looked up once per call.
  for (const auto& tmpl : service.list_templates(carol, QueryParams{}))
    CHECK(tmpl.required_subscription_level == SubscriptionLevel::free);
  CHECK(users->lookups == 3);
  // A level the shell knows (a JWT claim) is used as given.
  const Caller claimed{"carol", SubscriptionLevel::enterprise, false};
  (void)service.create_task(claimed, J(R"({"name":"d","task_type":"todo"})"));
  CHECK(users->lookups == 3);
}
