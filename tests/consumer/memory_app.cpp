// A consumer of task::core + task::memory only: the service over the in-memory repository.
#include <boost/json/parse.hpp>
#include <iostream>
#include <memory>

#include "task/memory/memory_repository.hpp"
#include "task/ports/clock.hpp"
#include "task/ports/id_generator.hpp"
#include "task/service/task_service.hpp"
#include "task/version.hpp"

int main() {
  auto repo = std::make_shared<task::memory::MemoryRepository>();
  auto clock = std::make_shared<task::SystemClock>();
  task::TaskService service(task::service_ports(repo, clock,
                                                std::make_shared<task::RandomIdGenerator>(),
                                                std::make_shared<task::ExecutorRegistry>()));
  const task::Caller alice{"alice", service.resolve_level("alice"), false};
  const auto t =
      service.create_task(alice, boost::json::parse(R"({"name":"Buy milk","task_type":"todo"})"));
  const auto again = service.get_task(alice, t.task_id);
  std::cout << "libtask " << task::version() << " (library " << task::library_version()
            << "): " << again.task_id << " " << again.name << "\n";
  return again.name == "Buy milk" && task::version() == task::library_version() ? 0 : 1;
}
