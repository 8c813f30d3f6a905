/// Reads "expression<TAB>start_unix_seconds" lines on stdin; for each prints the next 5 fire times
/// (UTC, Unix seconds, space-separated) of that cron expression strictly after the start, or
/// "ERROR <message>" when the expression is rejected. Used by cron_oracle.py against croniter.
#include <iostream>
#include <string>

#include "task/core/errors.hpp"
#include "task/schedule/schedule.hpp"

int main() {
  namespace ts = task::schedule;
  std::string line;
  while (std::getline(std::cin, line)) {
    const auto tab = line.find('\t');
    if (tab == std::string::npos) {
      std::cout << "ERROR malformed line\n";
      continue;
    }
    try {
      ts::Schedule s;
      s.kind = ts::Kind::cron;
      s.cron = ts::parse_cron(line.substr(0, tab), {"expression"});
      const auto start = task::from_unix_micros(std::stoll(line.substr(tab + 1)) * 1'000'000);
      std::string out;
      for (const auto t : ts::next_fires(s, start, 5))
        out += (out.empty() ? "" : " ") + std::to_string(task::to_unix_micros(t) / 1'000'000);
      std::cout << out << '\n';
    } catch (const task::ValidationError& e) {
      std::cout << "ERROR " << e.what() << '\n';
    }
  }
  return 0;
}
