// A consumer of task::store: the service over SQLite (migrations applied on open); the task is
// read back through a second repository on the same file.
#include <boost/json/parse.hpp>
#include <filesystem>
#include <iostream>
#include <memory>

#include "task/ports/clock.hpp"
#include "task/ports/id_generator.hpp"
#include "task/service/task_service.hpp"
#include "task/store/store.hpp"

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : "consumer.db";
  std::filesystem::remove(path);
  const std::string url = "sqlite://" + path;
  std::string id;
  {
    task::TaskService service(task::service_ports(
        task::store::open_repository(url), std::make_shared<task::SystemClock>(),
        std::make_shared<task::RandomIdGenerator>(), std::make_shared<task::ExecutorRegistry>()));
    const task::Caller bob{"bob", service.resolve_level("bob"), false};
    id = service.create_task(bob, boost::json::parse(R"({"name":"Stored","task_type":"todo"})"))
             .task_id;
  }
  auto repo = task::store::open_repository(url);
  const auto found = repo->find_task(id);
  std::cout << "sqlite: " << id << " " << (found ? found->name : "(missing)") << "\n";
  return found && found->name == "Stored" ? 0 : 1;
}
