#include <iostream>
#include <mutex>
#include <string>

#include "task/events/log.hpp"

namespace task::events {

LogFn stderr_logger() {
  return [](std::string_view level, std::string_view line) {
    static std::mutex mu;
    std::string text = "level=";
    text.append(level).append(" component=events ").append(line).append("\n");
    std::lock_guard lock(mu);
    std::cerr << text;
  };
}

LogFn null_logger() {
  return [](std::string_view, std::string_view) {};
}

}  // namespace task::events
