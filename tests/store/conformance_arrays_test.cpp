// Conformance suite: the batched writes read back exactly what was written, whatever the text.
// On PostgreSQL modify_tasks writes task rows, executions and events as one statement per table
// over array literals (docs/storage.md "Transactions"), so characters that mean something in an
// array literal (quotes, backslashes, braces, commas, the word NULL) and edge values are
// checked through the batch path on every backend.
#include <catch2/catch.hpp>
#include <limits>

#include "backend.hpp"
#include "helpers.hpp"

using namespace task;
using namespace task::test;

namespace {

const std::vector<std::string> kAwkward = {
    "",     "NULL",      "null",  "a,b",    "{x}",         "\"quoted\"", "back\\slash",
    "\\\"", "ünïcødé ✓", " lead", "trail ", "line\nbreak", "tab\there",  "}{,\"\\"};

}  // namespace

TEST_CASE("modify_tasks: awkward text and edge values read back exactly",
          "[tasks][batch][arrays]") {
  Fixture f;
  auto& r = f.repo();
  std::vector<Task> tasks;
  for (int i = 0; i < 4; ++i)
    tasks.push_back(r.insert_task(make_task("u \"x\"", 500 + i), {}));
  std::vector<std::string> ids;
  for (const auto& t : tasks)
    ids.push_back(t.task_id);

  std::map<std::string, Change> wanted;
  int n = 0;
  auto written = r.modify_tasks(ids, [&](const Task& cur) -> std::optional<Change> {
    const auto i = static_cast<std::size_t>(n++);
    Change c;
    c.task = cur;
    Task& t = *c.task;
    t.name = kAwkward[(i * 3) % kAwkward.size()] + kAwkward[(i * 5 + 1) % kAwkward.size()];
    t.description = i % 2 ? std::nullopt : std::optional<std::string>(kAwkward[i + 1]);
    t.tags = {kAwkward[i], kAwkward[i + 4], kAwkward[kAwkward.size() - 1 - i]};
    if (i == 3) t.tags.clear();
    t.metadata = {{kAwkward[i + 5], kAwkward[i + 6]}, {"n", i == 0 ? 0.1 : 1e-300 * (i + 1)}};
    t.config = {{"nested", {{"q", "\"{}\""}, {"list", {1, "NULL", nullptr}}}}};
    t.schedule = i == 1 ? std::nullopt : std::optional<boost::json::object>({{"type", "once"}});
    t.last_result = i == 2 ? boost::json::value(nullptr) : boost::json::value(kAwkward[i + 7]);
    t.last_error = i == 3 ? std::optional<std::string>("NULL") : std::nullopt;
    t.credits_per_run = i == 0 ? 0.1 : 123456.78901234567 * (i + 1);
    t.total_credits_consumed = std::numeric_limits<double>::denorm_min() * (i + 1);
    t.run_count = std::numeric_limits<std::int64_t>::max() - static_cast<std::int64_t>(i);
    t.failure_count = -static_cast<std::int64_t>(i);
    t.is_completed = i % 2 == 1;
    t.lease_owner = i == 0 ? std::nullopt : std::optional<std::string>(kAwkward[i + 8]);
    t.lease_expires_at = i == 0 ? std::nullopt : std::optional<Timestamp>(at(-1));
    t.next_run_time = at(static_cast<std::int64_t>(i) * kSec);
    Execution e = make_execution(cur, 900 + static_cast<std::int64_t>(i), 10 * kSec);
    e.error_message = kAwkward[i + 9];
    e.result = boost::json::object{{kAwkward[i + 2], kAwkward[i + 3]}};
    e.error_details = i == 1 ? boost::json::value(nullptr) : boost::json::value({1.5, "\\"});
    e.credits_consumed = 0.30000000000000004;
    e.tokens_used = i == 2 ? std::nullopt : std::optional<std::int64_t>(-7);
    e.duration_ms = 0;
    e.trigger_data = {{"slot", kAwkward[i + 10]}};
    c.executions.push_back(e);
    Event ev = make_event(cur, "task.updated", 800 + static_cast<std::int64_t>(i));
    ev.data = {{"name", t.name}, {"x", kAwkward[i + 3]}};
    ev.traceparent =
        i == 0 ? "" : "00-" + std::string(32, 'a') + "-" + std::string(16, 'b') + "-01";
    c.events.push_back(ev);
    wanted.emplace(cur.task_id, c);
    return c;
  });
  REQUIRE(written.size() == tasks.size());

  for (const auto& [id, c] : wanted) {
    const auto got = r.find_task(id);
    REQUIRE(got);
    const Task& w = *c.task;
    CHECK(got->name == w.name);
    CHECK(got->description == w.description);
    CHECK(got->tags == w.tags);
    CHECK(got->metadata == w.metadata);
    CHECK(got->config == w.config);
    CHECK(got->schedule == w.schedule);
    CHECK(got->last_result == w.last_result);
    CHECK(got->last_error == w.last_error);
    CHECK(got->credits_per_run == w.credits_per_run);
    CHECK(got->total_credits_consumed == w.total_credits_consumed);
    CHECK(got->run_count == w.run_count);
    CHECK(got->failure_count == w.failure_count);
    CHECK(got->is_completed == w.is_completed);
    CHECK(got->lease_owner == w.lease_owner);
    CHECK(got->lease_expires_at == w.lease_expires_at);
    CHECK(got->next_run_time == w.next_run_time);
    CHECK(got->version == 2);
    const auto runs = r.list_executions(id, 10, 0).executions;
    REQUIRE(runs.size() == 1);
    const Execution& e = c.executions.front();
    CHECK(runs[0].execution_id == e.execution_id);
    CHECK(runs[0].error_message == e.error_message);
    CHECK(runs[0].result == e.result);
    CHECK(runs[0].error_details == e.error_details);
    CHECK(runs[0].credits_consumed == e.credits_consumed);
    CHECK(runs[0].tokens_used == e.tokens_used);
    CHECK(runs[0].trigger_data == e.trigger_data);
    CHECK(runs[0].id > 0);
  }
  const auto outbox = r.fetch_outbox(100);
  REQUIRE(outbox.size() == tasks.size());
  for (const auto& entry : outbox) {
    const auto& w = wanted.at(entry.event.task_id).events.front();
    CHECK(entry.event.id == w.id);
    CHECK(entry.event.data == w.data);
    CHECK(entry.event.traceparent == w.traceparent);
    CHECK(entry.event.time == w.time);
  }
}
