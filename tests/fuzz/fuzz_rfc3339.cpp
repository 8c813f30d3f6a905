// Fuzzes RFC 3339 parsing (every timestamp a request, a schedule or an event carries). Properties:
// never throws; what parses formats to text that parses back to the same instant, and that text
// is strict RFC 3339 (a four-digit year, `T`, `Z`).
#include "support.hpp"

using namespace task;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = fuzz::as_text(data, size);
  const auto t = parse_rfc3339(text);
  if (!t) return 0;
  if (fuzz::outside_rfc3339_years(*t)) {
    // Finding 6: instants outside years 0001-9999 are accepted and written as `10000-...`.
    fuzz::known_finding(6, "a timestamp outside years 0001-9999 is accepted: " + std::string(text));
    return 0;
  }
  const auto formatted = format_rfc3339(*t);
  const auto back = parse_rfc3339(formatted);
  const bool four_digit_year =
      formatted.size() >= 20 && formatted[4] == '-' && formatted[0] >= '0' && formatted[0] <= '9';
  fuzz::check(back.has_value() && four_digit_year, "formatted instant does not parse", formatted);
  fuzz::check(*back == *t, "RFC 3339 round trip moved the instant", formatted);
  fuzz::check(formatted[10] == 'T' && formatted.back() == 'Z', "not strict RFC 3339", formatted);
  return 0;
}
