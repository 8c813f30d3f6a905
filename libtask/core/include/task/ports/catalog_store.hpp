#pragma once
/// The CatalogStore role: task templates. TaskService lists them and creates tasks from them;
/// task::memory::load_builtin_templates and the SQL store's seeding upsert the built-ins.
///
/// Ownership: the storage object is shared (std::shared_ptr) by the service, the scheduler and
/// the event relay; every result is a copy the caller owns (no reference into storage escapes a
/// call); string_view and reference arguments are read during the call only.
/// Thread-safety: every method may be called from any number of threads at once (task::memory:
/// one mutex, so a callback must not call back into the repository; task::store: a pooled
/// connection per call).
#include <optional>
#include <string_view>
#include <vector>

#include "task/domain/model.hpp"

namespace task {

/// Filters for templates. `max_level`: only templates whose level is at most this one.
struct TemplateQuery {
  std::optional<TemplateCategory> category;
  std::optional<TaskType> task_type;
  std::optional<SubscriptionLevel> max_level;
  bool active_only = true;
};

/// Templates.
class CatalogStore {
 public:
  virtual ~CatalogStore() = default;
  /// Templates matching the query, ordered by category name, then name.
  virtual std::vector<Template> list_templates(const TemplateQuery& query) = 0;
  virtual std::optional<Template> find_template(std::string_view template_id) = 0;
  /// Inserts or replaces by template_id.
  virtual Template upsert_template(const Template& tmpl) = 0;
};

}  // namespace task
