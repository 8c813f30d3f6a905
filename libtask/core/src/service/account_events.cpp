#include "task/service/account_events.hpp"

#include <boost/json/parse.hpp>
#include <cctype>

#include "task/codec/json_numbers.hpp"
#include "task/core/errors.hpp"
#include "task/rules/events.hpp"

namespace task {
namespace json = boost::json;

namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix &&
         s[s.size() - suffix.size() - 1] == '.';
}

std::optional<json::value> parse_json(std::string_view body) {
  boost::system::error_code ec;
  json::value v = task::parse_json(body, ec);  // exact numbers, as every other input
  if (ec || task::find_unstorable(v, {"data"})) return std::nullopt;  // 1e309, U+0000: malformed
  return v;
}

bool is_envelope(const json::object& o) {
  return o.contains("specversion") && o.contains("data");
}

std::optional<std::string> string_field(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string()) return std::nullopt;
  return std::string(it->value().as_string());
}

/// A user id as the API accepts it: 1-255 printable characters.
bool valid_user_id(std::string_view s) {
  if (s.empty() || s.size() > 255) return false;
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return false;
  return true;
}

AccountEventOutcome malformed(std::string detail) {
  AccountEventOutcome out;
  out.result = AccountEventOutcome::Result::malformed;
  out.detail = std::move(detail);
  return out;
}

}  // namespace

AccountEventKind classify_account_subject(std::string_view subject) {
  if (ends_with(subject, "user.deleted")) return AccountEventKind::user_deleted;
  if (ends_with(subject, "subscription.changed")) return AccountEventKind::subscription_changed;
  return AccountEventKind::other;
}

std::optional<json::object> account_event_payload(std::string_view body) {
  auto v = parse_json(body);
  if (!v || !v->is_object()) return std::nullopt;
  const auto& o = v->as_object();
  if (!is_envelope(o)) return o;
  const auto& data = o.at("data");
  if (!data.is_object()) return std::nullopt;
  return data.as_object();
}

std::optional<Timestamp> account_event_time(std::string_view body) {
  auto v = parse_json(body);
  if (!v || !v->is_object()) return std::nullopt;
  const auto& o = v->as_object();
  if (is_envelope(o)) {
    if (auto t = string_field(o, "time")) return parse_rfc3339(*t);
    return std::nullopt;
  }
  for (auto key : {"changed_at", "timestamp"})
    if (auto t = string_field(o, key)) return parse_rfc3339(*t);
  return std::nullopt;
}

std::optional<SubscriptionLevel> parse_tier(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  std::string lower;
  for (unsigned char c : text)
    lower += static_cast<char>(std::tolower(c));
  return parse_enum<SubscriptionLevel>(lower);
}

Event user_deleted_status_event(const Task& before, const Task& after, std::string event_id) {
  return make_status_changed_event(after, before.status, after.status, "user_deleted",
                                   after.updated_at, std::move(event_id));
}

std::vector<std::string> cancel_user_tasks(UserStore& users, TaskStore& tasks, const Clock& clock,
                                           IdGenerator& ids, std::string_view user_id) {
  std::vector<std::string> cancelled;
  for (const auto& task_id : users.list_open_task_ids(user_id)) {
    const Timestamp now = clock.now();
    const std::string event_id = ids.event_id();  // outside fn: fn may be retried
    try {
      auto written = tasks.modify_task(task_id, [&](const Task& t) -> std::optional<Change> {
        if (t.user_id != user_id || t.deleted_at || t.status == TaskStatus::cancelled ||
            t.status == TaskStatus::completed)
          return std::nullopt;
        Task after = t;
        after.status = TaskStatus::cancelled;
        after.next_run_time.reset();
        after.updated_at = now;
        Change change;
        change.events.push_back(user_deleted_status_event(t, after, event_id));
        change.task = std::move(after);
        return change;
      });
      if (written) cancelled.push_back(task_id);
    } catch (const NotFound&) {
      // Gone between listing and locking: nothing to cancel.
    }
  }
  return cancelled;
}

AccountEventOutcome handle_account_message(UserStore& users, TaskStore& tasks, const Clock& clock,
                                           IdGenerator& ids, std::string_view subject,
                                           std::string_view body) {
  const auto kind = classify_account_subject(subject);
  if (kind == AccountEventKind::other) {
    AccountEventOutcome out;
    out.detail = "not a subscribed subject";
    return out;
  }
  auto payload = account_event_payload(body);
  if (!payload) return malformed("body is not a JSON object");
  auto user_id = string_field(*payload, "user_id");
  if (!user_id || !valid_user_id(*user_id)) return malformed("missing or invalid user_id");

  AccountEventOutcome out;
  out.result = AccountEventOutcome::Result::handled;
  out.user_id = *user_id;
  if (kind == AccountEventKind::user_deleted) {
    out.cancelled_task_ids = cancel_user_tasks(users, tasks, clock, ids, *user_id);
    return out;
  }
  auto tier_text = string_field(*payload, "new_tier");
  if (!tier_text) return malformed("missing new_tier");
  auto level = parse_tier(*tier_text);
  if (!level) return malformed("unknown new_tier '" + *tier_text + "'");
  users.set_user_level(*user_id, *level, account_event_time(body).value_or(clock.now()));
  out.level = level;
  return out;
}

}  // namespace task
