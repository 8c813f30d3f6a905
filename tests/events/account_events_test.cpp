// task::handle_account_message over a real repository (no NATS): user.deleted cancels the
// user's open tasks with a status_changed event each, subscription.changed stores the level,
// malformed input is reported, never thrown.
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include "service_rig.hpp"
#include "task/service/account_events.hpp"

using namespace task;
using namespace task::events::test;
using R = AccountEventOutcome::Result;

namespace {
std::vector<Event> outbox_of_type(TaskRepository& repo, const std::string& type) {
  std::vector<Event> out;
  for (auto& row : repo.fetch_outbox(10000))
    if (row.event.type == type) out.push_back(row.event);
  return out;
}

std::vector<Backend> backends() {
  std::vector<Backend> out;
  for (auto b : {Backend::sqlite, Backend::memory})
    if (backend_available(b)) out.push_back(b);
  return out;
}
}  // namespace

TEST_CASE("subjects are classified by their last two tokens") {
  CHECK(classify_account_subject("account_service.user.deleted") == AccountEventKind::user_deleted);
  CHECK(classify_account_subject("billing.subscription.changed") ==
        AccountEventKind::subscription_changed);
  CHECK(classify_account_subject("user.deleted") == AccountEventKind::other);
  CHECK(classify_account_subject("x.xuser.deleted") == AccountEventKind::other);
  CHECK(classify_account_subject("task_service.task.deleted") == AccountEventKind::other);
}

TEST_CASE("payloads are read from a CloudEvents envelope or the top level") {
  auto env = account_event_payload(
      R"({"specversion":"1.0","id":"e1","type":"user.deleted","time":"2026-01-02T03:04:05Z",)"
      R"("source":"account_service","data":{"user_id":"u9"}})");
  REQUIRE(env);
  CHECK(env->at("user_id").as_string() == "u9");
  auto flat = account_event_payload(R"({"user_id":"u9"})");
  REQUIRE(flat);
  CHECK(flat->at("user_id").as_string() == "u9");
  CHECK_FALSE(account_event_payload("not json"));
  CHECK_FALSE(account_event_payload("[1,2]"));
  CHECK_FALSE(account_event_payload(R"({"specversion":"1.0","data":"x"})"));
  CHECK(parse_tier(" Pro ") == SubscriptionLevel::pro);
  CHECK_FALSE(parse_tier("gold"));
}

TEST_CASE("user.deleted cancels open tasks once, with one status_changed event each") {
  for (auto backend : backends()) {
    DYNAMIC_SECTION(backend_name(backend)) {
      ServiceRig rig(backend);
      const auto pending = rig.create("pending");
      const auto paused = rig.create("paused");
      rig.service->update_task(rig.caller, paused.task_id,
                               boost::json::parse(R"({"status":"paused"})"));
      const auto done = rig.create("done");
      rig.service->update_task(rig.caller, done.task_id,
                               boost::json::parse(R"({"status":"completed"})"));
      const auto running = rig.create("running");
      const auto started =
          rig.service->start_execution(rig.caller, running.task_id, boost::json::value(nullptr));
      const auto gone = rig.create("gone");
      rig.service->delete_task(rig.caller, gone.task_id);
      Caller other{"user-2", SubscriptionLevel::enterprise, false};
      const auto others = rig.service->create_task(
          other, boost::json::parse(
                     R"({"name":"x","task_type":"custom","config":{"url":"http://a.invalid/"}})"));
      const auto before = outbox_of_type(*rig.repo, "task.status_changed").size();

      const auto out =
          handle_account_message(*rig.repo, *rig.repo, *rig.clock, *rig.ids,
                                 "account_service.user.deleted", R"({"user_id":"user-1"})");
      CHECK(out.result == R::handled);
      CHECK(out.cancelled_task_ids.size() == 3);
      for (const auto* t : {&pending, &paused, &running})
        CHECK(rig.repo->find_task(t->task_id)->status == TaskStatus::cancelled);
      CHECK(rig.repo->find_task(done.task_id)->status == TaskStatus::completed);
      CHECK(rig.repo->find_task(others.task_id)->status == TaskStatus::pending);

      const auto events = outbox_of_type(*rig.repo, "task.status_changed");
      REQUIRE(events.size() == before + 3);
      for (std::size_t i = before; i < events.size(); ++i) {
        const auto& d = events[i].data;
        CHECK(d.at("new_status").as_string() == "cancelled");
        CHECK(d.at("reason").as_string() == "user_deleted");
        CHECK(d.at("user_id").as_string() == "user-1");
        CHECK(d.contains("old_status"));
        CHECK(d.contains("changed_at"));
      }

      // A run that finishes after the cancellation leaves the task cancelled.
      rig.service->finish_execution(started);
      CHECK(rig.repo->find_task(running.task_id)->status == TaskStatus::cancelled);

      // Idempotent: redelivery finds nothing open.
      const auto again = handle_account_message(
          *rig.repo, *rig.repo, *rig.clock, *rig.ids, "x.user.deleted",
          R"({"specversion":"1.0","id":"e","source":"acc","type":"user.deleted",)"
          R"("time":"2026-01-01T00:00:00Z","data":{"user_id":"user-1"}})");
      CHECK(again.result == R::handled);
      CHECK(again.cancelled_task_ids.empty());
    }
  }
}

TEST_CASE("subscription.changed stores the level; malformed messages are reported") {
  for (auto backend : backends()) {
    DYNAMIC_SECTION(backend_name(backend)) {
      ServiceRig rig(backend);
      auto out = handle_account_message(*rig.repo, *rig.repo, *rig.clock, *rig.ids,
                                        "account_service.subscription.changed",
                                        R"({"user_id":"u5","new_tier":"pro"})");
      CHECK(out.result == R::handled);
      CHECK(rig.repo->find_user_level("u5") == SubscriptionLevel::pro);
      CHECK(rig.service->resolve_level("u5") == SubscriptionLevel::pro);
      out = handle_account_message(
          *rig.repo, *rig.repo, *rig.clock, *rig.ids, "billing.subscription.changed",
          R"({"specversion":"1.0","id":"e2","source":"billing","type":"subscription.changed",)"
          R"("time":"2030-01-01T00:00:00Z","data":{"user_id":"u5","new_tier":"free"}})");
      CHECK(out.result == R::handled);
      CHECK(rig.repo->find_user_level("u5") == SubscriptionLevel::free);

      for (const char* body :
           {"", "{", "[]", "42", R"({"user_id":7,"new_tier":"pro"})", R"({"new_tier":"pro"})",
            R"({"user_id":"u5"})", R"({"user_id":"u5","new_tier":"platinum"})",
            R"({"specversion":"1.0","data":null})"}) {
        INFO(body);
        const auto bad = handle_account_message(*rig.repo, *rig.repo, *rig.clock, *rig.ids,
                                                "a.subscription.changed", body);
        CHECK(bad.result == R::malformed);
      }
      CHECK(rig.repo->find_user_level("u5") == SubscriptionLevel::free);
      CHECK(
          handle_account_message(*rig.repo, *rig.repo, *rig.clock, *rig.ids, "a.user.deleted", "{}")
              .result == R::malformed);
      CHECK(
          handle_account_message(*rig.repo, *rig.repo, *rig.clock, *rig.ids, "a.other.thing", "{}")
              .result == R::ignored);
    }
  }
}
