// Conformance suite, part 5: numbers in JSON (docs/api.md "Numbers in JSON", docs/storage.md
// "Rows that cannot be decoded"). A JSON value the API accepts stores and reads back equivalent
// on every backend; a row corrupted by hand never fails a listing or a scheduler round; the
// Infinity tokens of earlier releases are repaired by migration 0004.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <mutex>
#include <random>

#include "backend.hpp"
#include "helpers.hpp"
#include "support/doubles.hpp"
#include "task/codec/json_codec.hpp"
#include "task/codec/json_numbers.hpp"
#include "task/core/errors.hpp"
#include "task/ports/clock.hpp"
#include "task/ports/id_generator.hpp"
#include "task/service/scheduler.hpp"
#include "task/service/task_service.hpp"

using namespace task;
using namespace task::test;
namespace json = boost::json;

namespace {

/// Text of `v` with object keys sorted (PostgreSQL's jsonb keeps no key order) and numbers as
/// the API writes them: two values are equivalent when these texts are equal.
std::string canonical(const json::value& v) {
  if (const auto* o = v.if_object()) {
    std::vector<std::pair<std::string, const json::value*>> items;
    for (const auto& kv : *o)
      items.emplace_back(std::string(kv.key()), &kv.value());
    std::sort(items.begin(), items.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    std::string out = "{";
    for (const auto& [k, x] : items) {
      if (out.size() > 1) out += ',';
      out += json::serialize(json::string_view(k)) + ":" + canonical(*x);
    }
    return out + "}";
  }
  if (const auto* a = v.if_array()) {
    std::string out = "[";
    for (const auto& x : *a) {
      if (out.size() > 1) out += ',';
      out += canonical(x);
    }
    return out + "]";
  }
  return to_json_text(v);
}

/// Random JSON text: extreme numbers written as literals, all of Unicode (raw UTF-8 and
/// \u escapes, surrogate pairs included; no U+0000, which no store holds), nesting up to
/// `depth` more levels.
class DocumentMaker {
 public:
  explicit DocumentMaker(std::uint64_t seed) : rng_(seed) {}

  std::string object(int depth) {
    std::string out = "{";
    const int n = pick(0, 5);
    for (int i = 0; i < n; ++i) {
      if (i) out += ',';
      out += string_literal("_" + std::to_string(i));  // unique keys
      out += ":" + value(depth - 1);
    }
    return out + "}";
  }

 private:
  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

  std::string value(int depth) {
    const int kind = pick(0, depth > 0 ? 7 : 4);
    switch (kind) {
      case 0:
        return number();
      case 1:
        return number();
      case 2:
        return string_literal();
      case 3:
        return std::array<const char*, 3>{"true", "false", "null"}[pick(0, 2)];
      case 4:
        return string_literal();
      case 5:
      case 6: {
        std::string out = "[";
        const int n = pick(0, 4);
        for (int i = 0; i < n; ++i)
          out += (i ? "," : "") + value(depth - 1);
        return out + "]";
      }
      default:
        return object(depth);
    }
  }

  std::string number() {
    static const char* const extremes[] = {
        "1.7976931348623157e308",
        "-1.7976931348623157E+308",
        "5e-324",
        "-4.9406564584124654e-324",
        "2.2250738585072014e-308",
        "-0",
        "-0.0",
        "0e-5",
        "9007199254740993",
        "9223372036854775807",
        "-9223372036854775808",
        "9223372036854775808",
        "18446744073709551615",
        "18446744073709551616",
        "-18446744073709551617",
        "1e-400",
        "-1e-400",
        "1e-0000000000000000000000000000001",
        "3.14159265358979323846264338327950288419716939937510",
        "100000000000000000000000000000000000000000000000000",
        "1E+21",
        "0.1",
        "1e18",
        "123.456e-7",
        "0.000000000000000000000000000000000000000000000000000000000000000000000000000001"};
    if (pick(0, 2) == 0) return extremes[pick(0, static_cast<int>(std::size(extremes)) - 1)];
    double d = 0;
    do {
      const std::uint64_t bits = rng_();
      std::memcpy(&d, &bits, sizeof d);
    } while (!std::isfinite(d));
    char buf[64];
    const int precision = pick(1, 17);
    const int n = std::snprintf(buf, sizeof buf, pick(0, 1) ? "%.*e" : "%.*g", precision, d);
    double check = 0;
    // Rounding to fewer digits can carry a number past the largest double: not this test's case.
    if (std::from_chars(buf, buf + n, check).ec == std::errc::result_out_of_range &&
        std::abs(d) > 1)
      return "1";
    return buf;
  }

  std::string string_literal(const std::string& suffix = "") {
    std::string out = "\"";
    const int n = pick(0, 8);
    for (int i = 0; i < n; ++i) {
      char32_t cp = 0;
      switch (pick(0, 4)) {
        case 0:
          cp = static_cast<char32_t>(pick(1, 0x7f));
          break;
        case 1:
          cp = static_cast<char32_t>(pick(0x80, 0x7ff));
          break;
        case 2:
          do
            cp = static_cast<char32_t>(pick(0x800, 0xffff));
          while (cp >= 0xd800 && cp <= 0xdfff);
          break;
        default:
          cp = static_cast<char32_t>(pick(0x10000, 0x10ffff));
      }
      if (cp < 0x20 || cp == '"' || cp == '\\' || pick(0, 3) == 0) {
        out += escape(cp);
      } else {
        append_utf8(out, cp);
      }
    }
    return out + suffix + "\"";
  }

  static std::string escape(char32_t cp) {
    char buf[16];
    if (cp < 0x10000) {
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(cp));
      return buf;
    }
    const auto v = cp - 0x10000;
    std::snprintf(buf, sizeof buf, "\\u%04X\\u%04X", static_cast<unsigned>(0xd800 + (v >> 10)),
                  static_cast<unsigned>(0xdc00 + (v & 0x3ff)));
    return buf;
  }

  static void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xc0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xe0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
      out += static_cast<char>(0xf0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    }
  }

  std::mt19937_64 rng_;
};

json::value parse_body(const std::string& text) {
  boost::system::error_code ec;
  auto v = parse_json(text, ec);
  INFO(text);
  REQUIRE_FALSE(ec);
  return v;
}

struct Service {
  std::shared_ptr<TaskRepository> repo;
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(at(0));
  std::shared_ptr<IdGenerator> ids = std::make_shared<RandomIdGenerator>();
  std::shared_ptr<ExecutorRegistry> executors = std::make_shared<ExecutorRegistry>();
  TaskService service;
  explicit Service(std::shared_ptr<TaskRepository> r)
      : repo(r), service(service_ports(r, clock, ids, executors)) {}
};

/// The nesting of a hand-written jsonb/JSON text deeper than any reader here accepts.
std::string too_deep() {
  const std::size_t n = kMaxStoredJsonDepth + 6;
  return "{\"x\":" + std::string(n, '[') + std::string(n, ']') + "}";
}

}  // namespace

TEST_CASE("numbers: random documents round-trip create, get, list, update, export, import",
          "[numbers][property]") {
  Fixture f;
  Service s(f.open_another());
  const std::uint64_t seed = 0x7a5c12;
  const int documents = 200;
  INFO("seed " << seed << " on " << backend_name());
  WARN("numbers property test: seed " << seed << ", " << documents << " documents");
  DocumentMaker make(seed);
  const Caller alice{"alice", SubscriptionLevel::enterprise, false};
  // Restored ids count down: later inserts are numbered above every restored id.
  std::int64_t restored_id = 5000000;
  for (int i = 0; i < documents; ++i) {
    // Depth: the body (1) and config with up to 31 levels: the documented 32.
    const int depth = i % 10 == 0 ? 31 : 1 + i % 6;
    // The first document nests exactly to the limit: config + 30 arrays = 31 levels.
    const std::string config =
        i == 0 ? R"({"deep":)" + std::string(30, '[') + "-0.0" + std::string(30, ']') + "}"
               : make.object(depth);
    const std::string metadata = make.object(3);
    const std::string updated = make.object(4);
    const auto body =
        parse_body(R"({"name":"n)" + std::to_string(i) + R"(","task_type":"todo","config":)" +
                   config + R"(,"metadata":)" + metadata + "}");
    const auto want_config = canonical(body.at("config"));
    const auto want_metadata = canonical(body.at("metadata"));
    INFO("config " << config);
    INFO("metadata " << metadata);

    const auto created = s.service.create_task(alice, body);
    CHECK(canonical(created.config) == want_config);
    CHECK(canonical(created.metadata) == want_metadata);
    const auto got = s.service.get_task(alice, created.task_id);
    REQUIRE(canonical(got.config) == want_config);
    REQUIRE(canonical(got.metadata) == want_metadata);
    // What the API writes reads back to the same text (the writer and the parser agree).
    CHECK(canonical(parse_body(to_json_text(got.config))) == want_config);

    const auto page = s.service.list_tasks(alice, QueryParams{{"limit", "1"}});
    REQUIRE(page.tasks.size() == 1);
    CHECK(page.tasks[0].task_id == created.task_id);
    CHECK(canonical(page.tasks[0].config) == want_config);

    const auto patch = parse_body(R"({"metadata":)" + updated + "}");
    INFO("update " << updated);
    s.service.update_task(alice, created.task_id, patch);
    const auto after = s.service.get_task(alice, created.task_id);
    CHECK(canonical(after.metadata) == canonical(patch.at("metadata")));
    CHECK(canonical(after.config) == want_config);

    // Export (the wire form as task-cli export writes it) and import under a new identity.
    const std::string exported = to_json_text(json::value_from(after));
    auto back = json::value_to<Task>(parse_body(exported));
    back.task_id = make_id("tsk_", 0xe000 + i);
    back.id = restored_id--;
    back.user_id = "importer";
    s.repo->restore(back, {});
    const auto imported = s.repo->find_task(back.task_id);
    REQUIRE(imported);
    CHECK(canonical(imported->config) == want_config);
    CHECK(canonical(imported->metadata) == canonical(patch.at("metadata")));
  }
}

TEST_CASE("numbers: a value no store can hold is refused and nothing is written", "[numbers]") {
  Fixture f;
  Service s(f.open_another());
  const Caller bob{"bob", SubscriptionLevel::basic, false};
  for (const char* body : {R"({"name":"p","task_type":"todo","config":{"x":1e309}})",
                           R"({"name":"p","task_type":"todo","metadata":{"a":[{"b":-1e999}]}})"}) {
    CHECK_THROWS_AS(s.service.create_task(bob, parse_body(body)), ValidationError);
  }
  CHECK(count_user_tasks(*s.repo, "bob") == 0);
  CHECK(s.service.list_tasks(bob, QueryParams{}).tasks.empty());
}

TEST_CASE("numbers: a row corrupted by hand is skipped by listings and scheduler rounds",
          "[numbers][unreadable]") {
  Fixture f;
  if (!f.sql()) return;  // task::memory keeps values, not text: nothing to corrupt
  auto repo = f.open_another();
  std::vector<std::string> reported;
  std::mutex reported_mutex;
  repo->set_unreadable_row_hook([&](const Unreadable& e) {
    std::lock_guard lock(reported_mutex);
    reported.push_back(e.table + " " + e.id);
  });
  // Two users' tasks due at the same slot; mallory's (due first) gets corrupted by hand.
  Task bad = make_scheduled("mallory", 1, 0, Priority::urgent);
  Task good = make_scheduled("alice", 2, kSec);
  Task other = make_task("mallory", 3, 5);
  repo->insert_task(bad, {});
  repo->insert_task(good, {});
  repo->insert_task(other, {});
  if (f.postgres()) {
    // jsonb holds any nesting; the reader takes at most kMaxStoredJsonDepth levels.
    f.execute_sql("UPDATE {t}user_tasks SET config = '" + too_deep() +
                  "'::jsonb WHERE task_id = '" + bad.task_id + "'");
  } else {
    f.execute_sql("UPDATE {t}user_tasks SET config = '{\"x\":Infinity' WHERE task_id = '" +
                  bad.task_id + "'");
  }

  // The owner's list: the other task is there, the damaged one is skipped and counted.
  TaskQuery q;
  q.user_id = "mallory";
  const auto page = repo->list_tasks(q);
  REQUIRE(page.tasks.size() == 1);
  CHECK(page.tasks[0].task_id == other.task_id);
  CHECK(page.total == 2);  // the count still sees the row (it still counts against the quota)
  CHECK(repo->unreadable_rows() == 1);
  REQUIRE(reported.size() == 1);
  CHECK(reported[0] == "user_tasks " + bad.task_id);

  // Reading that one task is a clear error naming it.
  try {
    repo->find_task(bad.task_id);
    FAIL("find_task of a damaged row did not throw");
  } catch (const Unreadable& e) {
    CHECK(e.id == bad.task_id);
    CHECK(e.table == "user_tasks");
  }
  CHECK_THROWS_AS(repo->modify_task(bad.task_id, [](const Task&) { return std::nullopt; }),
                  Unreadable);

  // A scheduler round (another process: it has not met the row yet): the damaged due row is
  // skipped and counted, alice's due task runs in that very round.
  auto fresh = f.open_another();
  auto clock = std::make_shared<ManualClock>(at(10 * kSec));
  auto executors = std::make_shared<ExecutorRegistry>();
  auto counting = std::make_shared<testing::CountingExecutor>();
  (*executors)[TaskType::custom] = counting;
  SchedulerOptions options;
  options.replica_id = "numbers-test";
  options.reminders = false;
  Scheduler scheduler(SchedulerPorts{fresh, clock, std::make_shared<RandomIdGenerator>(), executors,
                                     nullptr, [c = clock](Micros d) { c->advance(d); }},
                      options);
  const auto report = scheduler.step(clock->now());
  CHECK(report.runs == 1);
  CHECK(counting->runs()[good.task_id] == 1);
  CHECK(counting->runs().count(bad.task_id) == 0);
  CHECK(fresh->unreadable_rows() == 1);
  CHECK(scheduler.metrics().storage_errors == 0);
  const auto ran = repo->find_task(good.task_id);
  CHECK(ran->run_count == 1);
  // The scheduler's queries now leave the damaged row out for a while: no busy loop on it.
  CHECK_FALSE(fresh->earliest_due_time());
  CHECK(scheduler.step(clock->now()).claimed == 0);
  CHECK(fresh->list_due_tasks(clock->now(), 10).empty());
  CHECK(fresh->unreadable_rows() == 1);
}

TEST_CASE("numbers: migration 0004 repairs the Infinity tokens an earlier release wrote",
          "[numbers][migrations]") {
  Fixture f;
  if (!f.sql()) return;
  const auto versions = task::store::applied_migrations(f.url());
  REQUIRE(std::find(versions.begin(), versions.end(), 4) != versions.end());
  Task t = make_task("p", 7);
  f.repo().insert_task(t, {});
  if (f.postgres()) {
    // jsonb never took the token (the old release failed that write); a number beyond the
    // double range written by hand reads as null.
    f.execute_sql(
        "UPDATE {t}user_tasks SET config = '{\"x\":1e400,\"y\":2}'::jsonb WHERE task_id = '" +
        t.task_id + "'");
    const auto read = f.open_another()->find_task(t.task_id);
    REQUIRE(read);
    CHECK(read->config.at("x").is_null());
    CHECK(read->config.at("y") == 2);
    return;
  }
  // What the previous release wrote for {"x":1e309,"s":"Infinity"} and a webhook answer.
  f.execute_sql(
      "UPDATE user_tasks SET config = '{\"x\":Infinity,\"s\":\"Infinity\",\"n\":[NaN,-Infinity]}', "
      "last_result = '{\"status_code\":200,\"body\":{\"temperature\":Infinity}}' "
      "WHERE task_id = '" +
      t.task_id + "'");
  // Before the migration the reader already tolerates the tokens.
  auto read = f.open_another()->find_task(t.task_id);
  REQUIRE(read);
  CHECK(read->config.at("x").is_null());
  // Run migration 0004 again, as on a database of the previous release.
  f.execute_sql("DELETE FROM schema_migrations WHERE version = 4");
  auto migrated = f.open_another();
  CHECK(task::store::applied_migrations(f.url()) == versions);
  CHECK(f.query_text("SELECT config FROM user_tasks WHERE task_id = '" + t.task_id + "'") ==
        R"({"x":null,"s":"Infinity","n":[null,null]})");
  CHECK(f.query_text("SELECT last_result FROM user_tasks WHERE task_id = '" + t.task_id + "'") ==
        R"({"status_code":200,"body":{"temperature":null}})");
  read = migrated->find_task(t.task_id);
  REQUIRE(read);
  CHECK(read->config.at("s") == "Infinity");
  CHECK(migrated->unreadable_rows() == 0);
}
