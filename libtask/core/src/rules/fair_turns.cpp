#include "task/rules/fair_turns.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <tuple>

namespace task {

std::vector<const Task*> fair_turn_order(
    const std::vector<const Task*>& due, std::size_t limit,
    const std::function<std::optional<int>(std::string_view user_id)>& room) {
  struct Turn {
    const Task* task;
    int rank;           // priority rank, higher first
    std::int64_t turn;  // the task's place among its user's tasks of its priority (1-based)
  };
  auto slot_order = [](const Task* a, const Task* b) {
    const int ra = priority_rank(a->priority), rb = priority_rank(b->priority);
    return std::make_tuple(-ra, *a->next_run_time, a->id) <
           std::make_tuple(-rb, *b->next_run_time, b->id);
  };
  std::vector<const Task*> sorted = due;
  std::sort(sorted.begin(), sorted.end(), slot_order);
  // Per user: how many were taken over all priorities, and per priority the running turn.
  std::map<std::string, std::pair<std::optional<int>, std::int64_t>, std::less<>> taken;
  std::map<std::pair<std::string, int>, std::int64_t> turn_of;
  std::vector<Turn> turns;
  for (const Task* t : sorted) {
    auto it = taken.find(t->user_id);
    if (it == taken.end()) it = taken.emplace(t->user_id, std::pair{room(t->user_id), 0}).first;
    auto& [user_room, count] = it->second;
    if (user_room && count >= *user_room) continue;
    ++count;
    const int rank = priority_rank(t->priority);
    turns.push_back({t, rank, ++turn_of[{t->user_id, rank}]});
  }
  std::sort(turns.begin(), turns.end(), [](const Turn& a, const Turn& b) {
    return std::make_tuple(-a.rank, a.turn, *a.task->next_run_time, a.task->id) <
           std::make_tuple(-b.rank, b.turn, *b.task->next_run_time, b.task->id);
  });
  std::vector<const Task*> out;
  for (const auto& t : turns) {
    if (out.size() >= limit) break;
    out.push_back(t.task);
  }
  return out;
}

namespace {

int parse_limit(std::string_view text, std::string_view what) {
  int n = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, n);
  if (text.empty() || ec != std::errc() || ptr != end || n < 0 || n > 100000)
    throw std::invalid_argument("--user-concurrency: " + std::string(what) + " '" +
                                std::string(text) + "' is not a number from 0 to 100000");
  return n;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ')
    s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ')
    s.remove_suffix(1);
  return s;
}

}  // namespace

ClaimFairness parse_user_concurrency(std::string_view text, ClaimFairness base) {
  text = trim(text);
  ClaimFairness out = base;
  out.enabled = true;
  if (text == "off") {
    out.enabled = false;
    return out;
  }
  if (text.find('=') == std::string_view::npos) {
    const int n = parse_limit(text, "limit");
    out.limit = {n, n, n, n};
    return out;
  }
  while (!text.empty()) {
    const auto comma = text.find(',');
    const auto part = trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    const auto eq = part.find('=');
    if (eq == std::string_view::npos)
      throw std::invalid_argument("--user-concurrency: '" + std::string(part) +
                                  "' is not level=N (levels free, basic, pro, enterprise)");
    const auto name = trim(part.substr(0, eq));
    const auto level = parse_enum<SubscriptionLevel>(name);
    if (!level)
      throw std::invalid_argument("--user-concurrency: '" + std::string(name) +
                                  "' is not one of free, basic, pro, enterprise");
    out.limit[static_cast<std::size_t>(*level)] =
        parse_limit(trim(part.substr(eq + 1)), std::string(name).c_str());
  }
  return out;
}

}  // namespace task
