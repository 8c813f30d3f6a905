#pragma once
/// The exact enum strings of API.md §2, each with `to_string` and `parse_enum<E>` kept together.
#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace task {

/// Maps an enum to its wire names; the enumerators are 0..N-1 in the order of `names`.
template <class E>
struct EnumNames;

#define TASK_ENUM_NAMES(E, ...)                     \
  template <>                                       \
  struct EnumNames<E> {                             \
    static constexpr std::array names{__VA_ARGS__}; \
  };

/// What kind of task this is; selects validation rules and the executor.
enum class TaskType {
  daily_weather,
  daily_news,
  news_monitor,
  weather_alert,
  price_tracker,
  data_backup,
  todo,
  reminder,
  calendar_event,
  custom
};
TASK_ENUM_NAMES(TaskType, std::string_view{"daily_weather"}, std::string_view{"daily_news"},
                std::string_view{"news_monitor"}, std::string_view{"weather_alert"},
                std::string_view{"price_tracker"}, std::string_view{"data_backup"},
                std::string_view{"todo"}, std::string_view{"reminder"},
                std::string_view{"calendar_event"}, std::string_view{"custom"})

/// Lifecycle state of a task (API.md §9 has the transitions).
enum class TaskStatus { pending, scheduled, running, completed, failed, cancelled, paused };
TASK_ENUM_NAMES(TaskStatus, std::string_view{"pending"}, std::string_view{"scheduled"},
                std::string_view{"running"}, std::string_view{"completed"},
                std::string_view{"failed"}, std::string_view{"cancelled"},
                std::string_view{"paused"})

/// Priority; ordered low < medium < high < urgent (use `priority_rank`, never the name).
enum class Priority { low, medium, high, urgent };
TASK_ENUM_NAMES(Priority, std::string_view{"low"}, std::string_view{"medium"},
                std::string_view{"high"}, std::string_view{"urgent"})

/// State of one execution row.
enum class ExecutionStatus { running, completed, failed, cancelled };
TASK_ENUM_NAMES(ExecutionStatus, std::string_view{"running"}, std::string_view{"completed"},
                std::string_view{"failed"}, std::string_view{"cancelled"})

/// What started an execution. `scheduler` is accepted on input as an alias of `scheduled`.
enum class TriggerType { manual, scheduled, webhook, event };
TASK_ENUM_NAMES(TriggerType, std::string_view{"manual"}, std::string_view{"scheduled"},
                std::string_view{"webhook"}, std::string_view{"event"})

/// Subscription level; ordered free < basic < pro < enterprise.
enum class SubscriptionLevel { free, basic, pro, enterprise };
TASK_ENUM_NAMES(SubscriptionLevel, std::string_view{"free"}, std::string_view{"basic"},
                std::string_view{"pro"}, std::string_view{"enterprise"})

/// Template category.
enum class TemplateCategory { productivity, monitoring, alerts, calendar, custom };
TASK_ENUM_NAMES(TemplateCategory, std::string_view{"productivity"}, std::string_view{"monitoring"},
                std::string_view{"alerts"}, std::string_view{"calendar"},
                std::string_view{"custom"})

#undef TASK_ENUM_NAMES

/// The wire name of an enum value.
template <class E>
constexpr std::string_view to_string(E e) {
  return EnumNames<E>::names[static_cast<std::size_t>(e)];
}

/// Parses an exact wire name; nullopt when it is not one.
template <class E>
constexpr std::optional<E> parse_enum(std::string_view s) {
  const auto& names = EnumNames<E>::names;
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == s) return static_cast<E>(i);
  return std::nullopt;
}

/// Parses a trigger type, accepting `scheduler` as an alias of `scheduled`.
constexpr std::optional<TriggerType> parse_trigger_type(std::string_view s) {
  if (s == "scheduler") return TriggerType::scheduled;
  return parse_enum<TriggerType>(s);
}

/// All values of an enum, in declaration order.
template <class E>
constexpr std::size_t enum_count() {
  return EnumNames<E>::names.size();
}

/// Higher is more urgent: urgent 3, high 2, medium 1, low 0.
constexpr int priority_rank(Priority p) {
  return static_cast<int>(p);
}

/// True when `have` is at least `need` (free < basic < pro < enterprise).
constexpr bool level_at_least(SubscriptionLevel have, SubscriptionLevel need) {
  return static_cast<int>(have) >= static_cast<int>(need);
}

/// The todo family: todo, reminder, calendar_event.
constexpr bool is_todo_family(TaskType t) {
  return t == TaskType::todo || t == TaskType::reminder || t == TaskType::calendar_event;
}

/// Statuses from which no run is ever started again by the scheduler.
constexpr bool is_terminal(TaskStatus s) {
  return s == TaskStatus::cancelled;
}

}  // namespace task
