#pragma once
/// The field lists of the domain records (Boost.Describe), read by the codecs only: the JSON codec
/// (task/codec/json_codec.hpp) and the store's row codec derive every key, column and value list
/// from them, so the rest of the tree does not compile them. A field's name is its JSON key and
/// its column name; JsonSkip names the fields that are not part of the wire form.
///
/// Adding a field: declare it in model.hpp, name it here in the same position (the static_asserts
/// below fail the build otherwise), add the column to both migrations when the record is stored.
///
/// Ownership and thread-safety: compile-time descriptions only; nothing here holds state.
#include <array>
#include <boost/describe/class.hpp>
#include <boost/describe/members.hpp>
#include <boost/mp11/algorithm.hpp>
#include <boost/pfr/core.hpp>
#include <string_view>
#include <type_traits>

#include "task/domain/model.hpp"

namespace task {

BOOST_DESCRIBE_STRUCT(Task, (),
                      (id, task_id, user_id, name, description, task_type, status, priority, config,
                       schedule, credits_per_run, tags, metadata, next_run_time, last_run_time,
                       last_success_time, last_error, last_result, run_count, success_count,
                       failure_count, total_credits_consumed, due_date, reminder_time, is_completed,
                       completed_at, recurrence, created_at, updated_at, deleted_at, version,
                       lease_owner, lease_expires_at, reminder_sent_at))

BOOST_DESCRIBE_STRUCT(Execution, (),
                      (id, execution_id, task_id, user_id, status, trigger_type, trigger_data,
                       scheduled_for, result, error_message, error_details, credits_consumed,
                       tokens_used, api_calls_made, duration_ms, started_at, completed_at,
                       created_at))

BOOST_DESCRIBE_STRUCT(Template, (),
                      (id, template_id, name, description, category, task_type, default_config,
                       required_fields, optional_fields, config_schema, required_subscription_level,
                       credits_per_run, tags, metadata, is_active, created_at, updated_at))

BOOST_DESCRIBE_STRUCT(Analytics, (),
                      (user_id, time_period, total_tasks, active_tasks, completed_tasks,
                       failed_tasks, paused_tasks, total_executions, successful_executions,
                       failed_executions, success_rate, average_execution_time,
                       total_credits_consumed, total_tokens_used, total_api_calls,
                       task_types_distribution, busiest_hours, busiest_days, created_at))

/// The described fields of a record, in declaration order.
template <class T>
using Fields = boost::describe::describe_members<T, boost::describe::mod_public>;

/// Fields of a record that the JSON wire form leaves out (storage bookkeeping). Everything else
/// is written and read under its own name.
template <class T>
struct JsonSkip {
  static constexpr std::array<std::string_view, 0> names{};
};
template <>
struct JsonSkip<Task> {
  static constexpr std::array<std::string_view, 4> names{"version", "lease_owner",
                                                         "lease_expires_at", "reminder_sent_at"};
};

/// True when `name` is one of `names` (usable in `if constexpr`).
template <std::size_t N>
constexpr bool listed(const std::array<std::string_view, N>& names, std::string_view name) {
  for (auto n : names)
    if (n == name) return true;
  return false;
}

namespace detail {
/// True when the description names every field of T, in declaration order: the same count as
/// the aggregate has (Boost.PFR) and, position by position, the same type.
template <class T>
constexpr bool describes_every_field() {
  using L = Fields<T>;
  if constexpr (boost::mp11::mp_size<L>::value != boost::pfr::tuple_size_v<T>) {
    return false;
  } else {
    return []<std::size_t... I>(std::index_sequence<I...>) {
      return (std::is_same_v<std::remove_cvref_t<decltype(std::declval<const T&>().*
                                                          boost::mp11::mp_at_c<L, I>::pointer)>,
                             boost::pfr::tuple_element_t<I, T>> &&
              ...);
    }
    (std::make_index_sequence<boost::mp11::mp_size<L>::value>{});
  }
}
}  // namespace detail

static_assert(detail::describes_every_field<Task>(), "describe.hpp: Task's field list is stale");
static_assert(detail::describes_every_field<Execution>(),
              "describe.hpp: Execution's field list is stale");
static_assert(detail::describes_every_field<Template>(),
              "describe.hpp: Template's field list is stale");
static_assert(detail::describes_every_field<Analytics>(),
              "describe.hpp: Analytics' field list is stale");

}  // namespace task
