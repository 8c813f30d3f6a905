/// Cron expressions: parsing into bit sets (Vixie cron semantics) and the next matching local
/// minute, found by skipping whole months and days rather than scanning minute by minute.
#include <array>
#include <bit>
#include <cctype>
#include <string>
#include <string_view>
#include <vector>

#include "detail.hpp"
#include "task/core/errors.hpp"

namespace task::schedule {
namespace {

using detail::LocalMin;

constexpr std::array<std::string_view, 12> kMonthNames = {"jan", "feb", "mar", "apr", "may", "jun",
                                                          "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 7> kDowNames = {"sun", "mon", "tue", "wed",
                                                       "thu", "fri", "sat"};

/// One of the five fields: its name, bounds and optional names (value = index + name_base).
struct FieldDef {
  std::string_view name;
  int lo;
  int hi;
  const std::string_view* names;
  int name_count;
  int name_base;
};

constexpr std::array<FieldDef, 5> kFields = {{
    {"minute", 0, 59, nullptr, 0, 0},
    {"hour", 0, 23, nullptr, 0, 0},
    {"day-of-month", 1, 31, nullptr, 0, 0},
    {"month", 1, 12, kMonthNames.data(), 12, 1},
    {"day-of-week", 0, 7, kDowNames.data(), 7, 0},
}};

/// Macros and the 5-field expression each stands for.
struct Macro {
  std::string_view name;
  std::string_view fields;
};
constexpr std::array<Macro, 7> kMacros = {{{"@hourly", "0 * * * *"},
                                           {"@daily", "0 0 * * *"},
                                           {"@midnight", "0 0 * * *"},
                                           {"@weekly", "0 0 * * 0"},
                                           {"@monthly", "0 0 1 * *"},
                                           {"@yearly", "0 0 1 1 *"},
                                           {"@annually", "0 0 1 1 *"}}};

/// Throws the one validation error of a cron expression.
[[noreturn]] void fail(const std::vector<std::string>& loc, const std::string& msg) {
  throw ValidationError(loc, msg);
}

[[noreturn]] void fail_field(const std::vector<std::string>& loc, const FieldDef& f,
                             const std::string& msg) {
  fail(loc, std::string(f.name) + " field: " + msg);
}

/// A number or a name in field `f`, range-checked.
int parse_value(std::string_view tok, const FieldDef& f, const std::vector<std::string>& loc) {
  const std::string t(tok);
  if (tok.empty()) fail_field(loc, f, "missing value");
  if (std::isdigit(static_cast<unsigned char>(tok[0]))) {
    int v = 0;
    for (const char c : tok) {
      if (!std::isdigit(static_cast<unsigned char>(c)))
        fail_field(loc, f, "'" + t + "' is not a number");
      v = v * 10 + (c - '0');
      if (v > 9999) break;
    }
    if (v < f.lo || v > f.hi)
      fail_field(loc, f,
                 t + " is out of range " + std::to_string(f.lo) + "-" + std::to_string(f.hi));
    return v;
  }
  const std::string l = detail::lower(tok);
  for (int i = 0; i < f.name_count; ++i)
    if (f.names[i] == l) return i + f.name_base;
  if (f.name_count == 0) fail_field(loc, f, "'" + t + "' is not a number");
  fail_field(loc, f, "unknown name '" + t + "'");
}

/// Bits (value v -> bit v) of one comma-separated field.
std::uint64_t parse_field(std::string_view text, const FieldDef& f,
                          const std::vector<std::string>& loc) {
  for (const char c : text)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '*' && c != ',' && c != '-' &&
        c != '/')
      fail_field(
          loc, f,
          std::string("'") + c + "' is not supported (use numbers, names, '*', ',', '-' and '/')");
  std::uint64_t bits = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string_view item = text.substr(start, comma - start);
    start = comma + 1;
    if (item.empty()) fail_field(loc, f, "empty list item in '" + std::string(text) + "'");
    const std::size_t slash = item.find('/');
    const std::string_view base = item.substr(0, slash);
    int step = 1;
    if (slash != std::string_view::npos) {
      const std::string_view st = item.substr(slash + 1);
      if (st.empty() || st.size() > 4 || st.find_first_not_of("0123456789") != st.npos)
        fail_field(loc, f, "bad step '" + std::string(st) + "' in '" + std::string(item) + "'");
      step = std::stoi(std::string(st));
      if (step == 0) fail_field(loc, f, "step 0 in '" + std::string(item) + "' is not allowed");
    }
    int lo = f.lo, hi = f.hi;
    if (base != "*") {
      const std::size_t dash = base.find('-');
      lo = parse_value(base.substr(0, dash), f, loc);
      if (dash != std::string_view::npos) {
        hi = parse_value(base.substr(dash + 1), f, loc);
        if (lo > hi)
          fail_field(loc, f,
                     "range " + std::string(base) + " is backwards (" + std::to_string(lo) + " > " +
                         std::to_string(hi) + ")");
      } else if (slash == std::string_view::npos) {
        hi = lo;  // a single value; "a/step" means a-max/step
      }
    }
    for (int v = lo; v <= hi; v += step)
      bits |= std::uint64_t{1} << v;
  }
  return bits;
}

/// Days in month `m` of a leap year (the most a month can have).
int max_days(int m) {
  constexpr std::array<int, 12> kDays = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return kDays[static_cast<std::size_t>(m - 1)];
}

/// Whether `spec` can fire on some day (Feb 29 counts).
bool can_fire(const CronSpec& spec) {
  if (!spec.dom_restricted || spec.dow_restricted) return true;  // every month has every weekday
  for (int m = 1; m <= 12; ++m) {
    if (!(spec.months >> m & 1U)) continue;
    // bits 1..max; shifted in 64 bits, as 1 << 32 is undefined for a 32-bit value
    const auto valid = static_cast<std::uint32_t>((std::uint64_t{1} << (max_days(m) + 1)) - 2);
    if (spec.days_of_month & valid) return true;
  }
  return false;
}

/// Whether the day matches (Vixie: OR when both day fields are restricted, else AND).
bool day_matches(const CronSpec& spec, unsigned dom, unsigned dow) {
  const bool a = spec.days_of_month >> dom & 1U;
  const bool b = spec.days_of_week >> dow & 1U;
  return spec.dom_restricted && spec.dow_restricted ? (a || b) : (a && b);
}

/// The first set bit >= from in `bits` (below `limit`), or -1.
int first_bit_from(std::uint64_t bits, int from) {
  if (from >= 64) return -1;
  const std::uint64_t masked = bits & (~std::uint64_t{0} << from);
  return masked ? std::countr_zero(masked) : -1;
}

}  // namespace

CronSpec parse_cron(std::string_view expression, const std::vector<std::string>& loc) {
  std::vector<std::string> parts;
  std::string cur;
  for (const char c : expression) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!cur.empty()) parts.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) parts.push_back(std::move(cur));
  if (parts.empty()) fail(loc, "cron expression is empty");
  CronSpec spec;
  std::string fields_text;
  if (parts.size() == 1 && parts[0][0] == '@') {
    spec.expression = detail::lower(parts[0]);
    for (const auto& m : kMacros)
      if (m.name == spec.expression) fields_text = m.fields;
    if (fields_text.empty())
      fail(loc, "unknown macro '" + parts[0] +
                    "' (use @hourly, @daily, @midnight, @weekly, @monthly, @yearly, @annually)");
    CronSpec expanded = parse_cron(fields_text, loc);
    expanded.expression = spec.expression;
    return expanded;
  }
  if (parts.size() != 5)
    fail(loc, "expected 5 fields (minute hour day-of-month month day-of-week), got " +
                  std::to_string(parts.size()));
  for (std::size_t i = 0; i < parts.size(); ++i)
    spec.expression += (i ? " " : "") + parts[i];
  spec.minutes = parse_field(parts[0], kFields[0], loc);
  spec.hours = static_cast<std::uint32_t>(parse_field(parts[1], kFields[1], loc));
  spec.days_of_month = static_cast<std::uint32_t>(parse_field(parts[2], kFields[2], loc));
  spec.months = static_cast<std::uint16_t>(parse_field(parts[3], kFields[3], loc));
  std::uint64_t dow = parse_field(parts[4], kFields[4], loc);
  if (dow >> 7 & 1U) dow = (dow | 1U) & 0x7FU;  // 7 is Sunday too
  spec.days_of_week = static_cast<std::uint8_t>(dow);
  spec.dom_restricted = parts[2][0] != '*';
  spec.dow_restricted = parts[4][0] != '*';
  if (!can_fire(spec))
    fail(loc, "never fires: no selected month has day-of-month '" + parts[2] + "' ('" +
                  spec.expression + "')");
  return spec;
}

namespace detail {

std::optional<LocalMin> next_cron_local(const CronSpec& spec, LocalMin from) {
  using date::days;
  auto day = date::floor<days>(from);
  const auto in_day = (from - day).count();
  int h0 = static_cast<int>(in_day / 60), m0 = static_cast<int>(in_day % 60);
  const auto limit = day + days{366 * 29};
  while (day < limit) {
    const date::year_month_day ymd{date::sys_days{day.time_since_epoch()}};
    if (!(spec.months >> unsigned(ymd.month()) & 1U)) {
      const auto next_month = ymd.year() / ymd.month() / 1 + date::months{1};
      day = date::local_days{date::sys_days{next_month}.time_since_epoch()};
      h0 = m0 = 0;
      continue;
    }
    const unsigned dow = date::weekday{date::sys_days{day.time_since_epoch()}}.c_encoding();
    if (day_matches(spec, unsigned(ymd.day()), dow)) {
      for (int h = first_bit_from(spec.hours, h0); h >= 0; h = first_bit_from(spec.hours, h + 1)) {
        const int m = first_bit_from(spec.minutes, h == h0 ? m0 : 0);
        if (m >= 0) return day + std::chrono::hours{h} + std::chrono::minutes{m};
      }
    }
    day += days{1};
    h0 = m0 = 0;
  }
  return std::nullopt;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace detail
}  // namespace task::schedule
