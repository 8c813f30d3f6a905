#include "task/core/time.hpp"

#include "task/core/time_bounds.hpp"

#include <date/date.h>

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace task {

std::string format_rfc3339(Timestamp t) {
  // Instants beyond years -32767..32767 (a corrupted row: microseconds near the int64 limits)
  // would overflow the calendar arithmetic below; they are written as the nearest one it holds.
  static constexpr Timestamp kMin{date::sys_days{date::year{-32767} / 1 / 1}};
  static constexpr Timestamp kMax{date::sys_days{date::year{32767} / 12 / 31} +
                                  std::chrono::hours{24} - Micros{1}};
  t = std::clamp(t, kMin, kMax);
  const auto secs = std::chrono::floor<std::chrono::seconds>(t);
  const auto us = (t - secs).count();
  const auto day = std::chrono::floor<date::days>(secs);
  const date::year_month_day ymd{day};
  const date::hh_mm_ss<std::chrono::seconds> hms{secs - day};
  const int year = int(ymd.year());
  if (year >= 0 && year <= 9999) {  // every stored date (datetime_range): digits by hand
    char out[27];
    const auto put = [&out](int at, long long v, int width) {
      for (int i = width - 1; i >= 0; --i, v /= 10)
        out[at + i] = static_cast<char>('0' + v % 10);
    };
    put(0, year, 4);
    out[4] = '-';
    put(5, unsigned(ymd.month()), 2);
    out[7] = '-';
    put(8, unsigned(ymd.day()), 2);
    out[10] = 'T';
    put(11, hms.hours().count(), 2);
    out[13] = ':';
    put(14, hms.minutes().count(), 2);
    out[16] = ':';
    put(17, hms.seconds().count(), 2);
    std::size_t n = 19;
    if (us != 0) {
      out[19] = '.';
      put(20, us, 6);
      n = 26;
    }
    out[n++] = 'Z';
    return std::string(out, n);
  }
  char buf[48];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02lld", int(ymd.year()),
                        unsigned(ymd.month()), unsigned(ymd.day()), int(hms.hours().count()),
                        int(hms.minutes().count()), static_cast<long long>(hms.seconds().count()));
  if (us != 0) n += std::snprintf(buf + n, sizeof buf - n, ".%06lld", static_cast<long long>(us));
  buf[n++] = 'Z';
  return std::string(buf, static_cast<std::size_t>(n));
}

namespace {

/// Reads exactly `width` digits at `pos`; advances pos.
bool read_digits(std::string_view s, std::size_t& pos, int width, int& out) {
  if (pos + static_cast<std::size_t>(width) > s.size()) return false;
  int v = 0;
  for (int i = 0; i < width; ++i) {
    const char c = s[pos + static_cast<std::size_t>(i)];
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    v = v * 10 + (c - '0');
  }
  pos += static_cast<std::size_t>(width);
  out = v;
  return true;
}

bool expect(std::string_view s, std::size_t& pos, char c) {
  if (pos < s.size() && s[pos] == c) {
    ++pos;
    return true;
  }
  return false;
}

/// parse_rfc3339 without the range check.
std::optional<Timestamp> parse_unbounded(std::string_view s) {
  std::size_t pos = 0;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!read_digits(s, pos, 4, y) || !expect(s, pos, '-') || !read_digits(s, pos, 2, mo) ||
      !expect(s, pos, '-') || !read_digits(s, pos, 2, d))
    return std::nullopt;
  const date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(mo)},
                                 date::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  std::int64_t frac_us = 0;
  std::int64_t offset_s = 0;
  if (pos < s.size()) {
    if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') return std::nullopt;
    ++pos;
    if (!read_digits(s, pos, 2, h) || !expect(s, pos, ':') || !read_digits(s, pos, 2, mi))
      return std::nullopt;
    if (expect(s, pos, ':')) {
      if (!read_digits(s, pos, 2, sec)) return std::nullopt;
      if (expect(s, pos, '.') || expect(s, pos, ',')) {
        int digits = 0;
        while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
          if (digits < 6) frac_us = frac_us * 10 + (s[pos] - '0');
          ++digits;
          ++pos;
        }
        if (digits == 0 || digits > 9) return std::nullopt;
        for (int i = digits; i < 6; ++i)
          frac_us *= 10;
      }
    }
    if (h > 23 || mi > 59 || sec > 59) return std::nullopt;
    if (pos < s.size()) {
      const char c = s[pos];
      if (c == 'Z' || c == 'z') {
        ++pos;
      } else if (c == '+' || c == '-') {
        ++pos;
        int oh = 0, om = 0;
        if (!read_digits(s, pos, 2, oh)) return std::nullopt;
        expect(s, pos, ':');
        if (!read_digits(s, pos, 2, om)) return std::nullopt;
        if (oh > 23 || om > 59) return std::nullopt;
        offset_s = (oh * 3600 + om * 60) * (c == '+' ? 1 : -1);
      } else {
        return std::nullopt;
      }
    }
  }
  if (pos != s.size()) return std::nullopt;
  const auto day_point = date::sys_days{ymd};
  const auto t = std::chrono::time_point_cast<Micros>(day_point) + std::chrono::hours{h} +
                 std::chrono::minutes{mi} + std::chrono::seconds{sec} -
                 std::chrono::seconds{offset_s} + Micros{frac_us};
  return Timestamp{t};
}

}  // namespace

std::optional<Timestamp> parse_rfc3339(std::string_view s) {
  auto t = parse_unbounded(s);
  if (t && !within_timestamp_range(*t)) return std::nullopt;
  return t;
}

bool rfc3339_out_of_range(std::string_view s) {
  const auto t = parse_unbounded(s);
  return t && !within_timestamp_range(*t);
}

}  // namespace task
