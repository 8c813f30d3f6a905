// Fuzzes the messages of the account-service subscription (libtask/events account_subscriber):
// the first line is the NATS subject, the rest the body (a CloudEvents envelope or a bare
// object). handle_account_message runs against an in-memory repository holding open tasks of two
// users. Properties: nothing escapes for bad input (the subscriber would drop the message as
// failed instead of malformed); a handled user.deleted leaves that user no open task; a handled
// subscription.changed stores the level; subject intersections match both patterns'
// concrete subjects; a CloudEvents envelope read back (from_cloudevent) re-encodes to itself.
#include <boost/json/serialize.hpp>

#include "support.hpp"
#include "task/codec/json_codec.hpp"
#include "task/codec/json_numbers.hpp"
#include "task/events/account_subscriber.hpp"
#include "task/memory/memory_repository.hpp"
#include "task/service/account_events.hpp"

namespace json = boost::json;
using namespace task;

namespace {

class Ids final : public IdGenerator {
 public:
  std::string task_id() override { return next("tsk_"); }
  std::string execution_id() override { return next("exe_"); }
  std::string event_id() override { return "00000000-0000-4000-8000-" + next("").substr(12); }

 private:
  std::string next(const char* prefix) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%024llx", static_cast<unsigned long long>(++n_));
    return prefix + std::string(buf);
  }
  unsigned long long n_ = 0;
};

Task open_task(std::string id, std::string user) {
  Task t;
  t.task_id = std::move(id);
  t.user_id = std::move(user);
  t.name = "open";
  t.status = TaskStatus::scheduled;
  t.next_run_time = fuzz::fixed_now() + std::chrono::hours(1);
  t.created_at = t.updated_at = fuzz::fixed_now();
  return t;
}

/// True when every token of the concrete subject `s` matches pattern `p` (`*`, `>`).
bool subject_matches(std::string_view p, std::string_view s) {
  while (true) {
    const auto pd = p.find('.'), sd = s.find('.');
    const auto pt = p.substr(0, pd), st = s.substr(0, sd);
    if (pt == ">") return !st.empty();
    if (pt != "*" && pt != st) return false;
    if (pd == std::string_view::npos || sd == std::string_view::npos)
      return pd == std::string_view::npos && sd == std::string_view::npos;
    p.remove_prefix(pd + 1);
    s.remove_prefix(sd + 1);
  }
}

/// The intersection pattern with every wildcard replaced by concrete tokens.
std::string concrete(std::string_view pattern) {
  std::string out;
  std::size_t start = 0;
  while (start <= pattern.size()) {
    const auto dot = pattern.find('.', start);
    auto tok =
        pattern.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (!out.empty()) out += '.';
    out += (tok == "*" || tok == ">") ? std::string("x") : std::string(tok);
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto input = fuzz::as_text(data, size);
  const auto nl = input.find('\n');
  const std::string subject(input.substr(0, nl));
  const std::string_view body = nl == std::string_view::npos ? "" : input.substr(nl + 1);

  auto repo = std::make_shared<memory::MemoryRepository>();
  repo->insert_task(open_task("tsk_00000000000000000000000a", "alice"), {});
  repo->insert_task(open_task("tsk_00000000000000000000000b", "bob"), {});
  ManualClock clock(fuzz::fixed_now());
  Ids ids;

  (void)classify_account_subject(subject);
  (void)account_event_payload(body);
  (void)account_event_time(body);
  const auto out = handle_account_message(*repo, *repo, clock, ids, subject, body);
  if (out.result == AccountEventOutcome::Result::handled) {
    fuzz::check(!out.user_id.empty(), "handled an event without a user");
    const auto kind = classify_account_subject(subject);
    if (kind == AccountEventKind::user_deleted)
      fuzz::check(repo->list_open_task_ids(out.user_id).empty(), "user.deleted left open tasks",
                  out.user_id);
    if (kind == AccountEventKind::subscription_changed)
      fuzz::check(out.level && repo->find_user_level(out.user_id) == out.level,
                  "subscription.changed did not store the level", out.user_id);
  }
  for (const auto pattern : {kUserDeletedSubject, kSubscriptionChangedSubject}) {
    // Only valid NATS subjects: no empty tokens (stream subjects are checked by the server).
    if (subject.size() > 256 || subject.empty() || subject.front() == '.' ||
        subject.back() == '.' || subject.find("..") != std::string::npos)
      break;
    const auto both = events::subject_intersection(pattern, subject);
    if (!both) continue;
    const auto s = concrete(*both);
    fuzz::check(subject_matches(pattern, s) && subject_matches(subject, s),
                "subject intersection matches a subject one pattern does not",
                subject + " & " + std::string(pattern) + " = " + *both);
  }
  if (const auto v = fuzz::parse_json(body)) {
    // Values no store can hold (1e309, U+0000) are refused as malformed by the handler before
    // they reach the envelope (finding 1); the round trip below is for the storable rest.
    const auto e = from_cloudevent(*v);
    if (e && !task::find_unstorable(*v, {"data"})) {
      const auto again = from_cloudevent(to_cloudevent(*e));
      fuzz::check(again && again->id == e->id && again->type == e->type && again->time == e->time &&
                      fuzz::same_json(again->data, e->data),
                  "CloudEvents envelope round trip differs", std::string(body));
    }
  }
  return 0;
}
