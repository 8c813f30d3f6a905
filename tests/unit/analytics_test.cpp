#include <catch2/catch.hpp>

#include "task/core/errors.hpp"
#include "task/rules/analytics.hpp"
#include "task/rules/quotas.hpp"
#include "test_support.hpp"

using namespace task;
using task::test::T;

namespace {

/// The quarter-hour bucket of an instant.
std::int64_t quarter(const char* t) {
  return to_unix_micros(T(t)) / 1'000'000 / 900;
}

}  // namespace

TEST_CASE("analytics figures", "[rules][analytics]") {
  TaskCounts c;
  c.by_status = {{TaskStatus::pending, 2},   {TaskStatus::scheduled, 3}, {TaskStatus::running, 1},
                 {TaskStatus::completed, 4}, {TaskStatus::failed, 5},    {TaskStatus::paused, 6},
                 {TaskStatus::cancelled, 7}};
  c.by_type = {{TaskType::todo, 20}, {TaskType::custom, 8}, {TaskType::reminder, 0}};
  ExecutionTotals x;
  x.total = 3;
  x.successful = 2;
  x.failed = 1;
  x.average_duration_ms = 1234.5;
  x.credits = 7.5;
  x.tokens = 11;
  x.api_calls = 4;
  const auto a = compute_analytics("u", 7, c, x, std::nullopt, T("2026-11-26T10:00:00Z"));
  CHECK(a.time_period == "Last 7 days");
  CHECK(a.total_tasks == 28);
  CHECK(a.active_tasks == 6);
  CHECK(a.completed_tasks == 4);
  CHECK(a.failed_tasks == 5);
  CHECK(a.paused_tasks == 6);
  CHECK(a.success_rate == 66.67);
  CHECK(a.average_execution_time == 1.23);
  CHECK(a.total_credits_consumed == 7.5);
  CHECK(a.total_tokens_used == 11);
  CHECK(a.total_api_calls == 4);
  CHECK((a.task_types_distribution ==
         std::map<std::string, std::int64_t>{{"todo", 20}, {"custom", 8}}));
  CHECK(a.busiest_hours.empty());
  const auto none = compute_analytics("u", 30, {}, {}, std::nullopt, T("2026-11-26T10:00:00Z"));
  CHECK(none.success_rate == 0);
  CHECK(none.average_execution_time == 0);
}

TEST_CASE("busiest hours and days, ties by hour, in a time zone", "[rules][analytics]") {
  ExecutionTotals x;
  // Thursday 2026-11-26: 09:00Z x3, 09:45Z x1, 23:30Z x2, 10:00Z x4 (Friday 27th 00:15Z x1).
  x.by_quarter_hour = {{quarter("2026-11-26T09:00:00Z"), 3},
                       {quarter("2026-11-26T09:45:00Z"), 1},
                       {quarter("2026-11-26T10:00:00Z"), 4},
                       {quarter("2026-11-26T23:30:00Z"), 2},
                       {quarter("2026-11-27T00:15:00Z"), 1}};
  x.total = 11;
  const auto now = T("2026-11-28T00:00:00Z");
  auto a = compute_analytics("u", 30, {}, x, std::nullopt, now);
  CHECK((a.busiest_hours == std::vector<int>{9, 10, 23, 0}));
  CHECK((a.busiest_days == std::vector<std::string>{"Thursday", "Friday"}));
  // Kolkata is +05:30: 09:00Z -> 14:30, 09:45Z -> 15:15, 10:00Z -> 15:30, 23:30Z -> 05:00 Fri,
  // 00:15Z -> 05:45 Fri.
  a = compute_analytics("u", 30, {}, x, std::string("Asia/Kolkata"), now);
  CHECK((a.busiest_hours == std::vector<int>{15, 5, 14}));
  CHECK((a.busiest_days == std::vector<std::string>{"Thursday", "Friday"}));
  // New York is -05:00 in November: 23:30Z -> 18:30 Thu, 00:15Z -> 19:15 Thu; all Thursday.
  a = compute_analytics("u", 30, {}, x, std::string("America/New_York"), now);
  CHECK((a.busiest_hours == std::vector<int>{4, 5, 18, 19}));
  CHECK(a.busiest_days == std::vector<std::string>{"Thursday"});
  CHECK_THROWS_AS(compute_analytics("u", 30, {}, x, std::string("Mars/Base"), now),
                  ValidationError);
}

TEST_CASE("busiest hours keep the top five", "[rules][analytics]") {
  ExecutionTotals x;
  for (int h = 0; h < 8; ++h)
    x.by_quarter_hour.emplace_back(quarter("2026-11-26T00:00:00Z") + 4 * h, 10 - (h % 3));
  const auto a = compute_analytics("u", 1, {}, x, std::nullopt, T("2026-11-27T00:00:00Z"));
  CHECK((a.busiest_hours == std::vector<int>{0, 3, 6, 1, 4}));
}

TEST_CASE("quota table and UTC day start", "[rules][quotas]") {
  QuotaTable q;
  CHECK(q.task_limit(SubscriptionLevel::free) == 5);
  CHECK(q.task_limit(SubscriptionLevel::basic) == 20);
  CHECK(q.task_limit(SubscriptionLevel::pro) == 100);
  CHECK_FALSE(q.task_limit(SubscriptionLevel::enterprise));
  CHECK(q.execution_limit(SubscriptionLevel::free) == 10);
  CHECK(q.execution_limit(SubscriptionLevel::basic) == 100);
  CHECK(q.execution_limit(SubscriptionLevel::pro) == 1000);
  CHECK_FALSE(q.execution_limit(SubscriptionLevel::enterprise));
  CHECK(utc_day_start(T("2026-11-26T23:59:59.999Z")) == T("2026-11-26T00:00:00Z"));
  CHECK(utc_day_start(T("2026-11-26T00:00:00Z")) == T("2026-11-26T00:00:00Z"));
}
