#pragma once
/// The exact enum strings of docs/api.md §2, each with `to_string` and `parse_enum<E>` kept
/// together.
///
/// Ownership: to_string returns views of static strings (valid for the whole program);
/// parse_enum keeps nothing of its argument. Thread-safety: pure functions, safe from any thread.
#include <array>
#include <boost/describe/enum.hpp>
#include <boost/describe/enumerators.hpp>
#include <cstddef>
#include <optional>
#include <string_view>

namespace task {

/// Each enum below is declared with BOOST_DEFINE_ENUM_CLASS: its enumerators are listed once and
/// their identifiers are the wire names. Enumerators are 0..N-1 in declaration order.

/// What kind of task this is; selects validation rules and the executor.
BOOST_DEFINE_ENUM_CLASS(TaskType, daily_weather, daily_news, news_monitor, weather_alert,
                        price_tracker, data_backup, todo, reminder, calendar_event, custom)

/// Lifecycle state of a task (docs/api.md §9 has the transitions).
BOOST_DEFINE_ENUM_CLASS(TaskStatus, pending, scheduled, running, completed, failed, cancelled,
                        paused)

/// Priority; ordered low < medium < high < urgent (use `priority_rank`, never the name).
BOOST_DEFINE_ENUM_CLASS(Priority, low, medium, high, urgent)

/// State of one execution row.
BOOST_DEFINE_ENUM_CLASS(ExecutionStatus, running, completed, failed, cancelled)

/// What started an execution. `scheduler` is accepted on input as an alias of `scheduled`.
BOOST_DEFINE_ENUM_CLASS(TriggerType, manual, scheduled, webhook, event)

/// Subscription level; ordered free < basic < pro < enterprise.
BOOST_DEFINE_ENUM_CLASS(SubscriptionLevel, free, basic, pro, enterprise)

/// Template category.
BOOST_DEFINE_ENUM_CLASS(TemplateCategory, productivity, monitoring, alerts, calendar, custom)

namespace detail {
template <class List>
struct EnumNamesOf;
template <template <class...> class List, class... D>
struct EnumNamesOf<List<D...>> {
  static constexpr std::array<std::string_view, sizeof...(D)> names{std::string_view{D::name}...};
  /// True when the enumerators are 0..N-1 in declaration order (to_string indexes by value).
  static constexpr bool dense() {
    std::size_t i = 0;
    return ((static_cast<std::size_t>(D::value) == i++) && ...);
  }
};
}  // namespace detail

/// An enum's wire names, in declaration order, derived from its description.
template <class E>
struct EnumNames : detail::EnumNamesOf<boost::describe::describe_enumerators<E>> {
  static_assert(detail::EnumNamesOf<boost::describe::describe_enumerators<E>>::dense(),
                "task enums are 0..N-1 in declaration order");
};

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
