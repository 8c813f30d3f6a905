// The in-memory repository: templates (CatalogStore).
#include <algorithm>

#include "memory_lookup.hpp"
#include "task/memory/memory_repository.hpp"
#include "task/rules/builtin_templates.hpp"

namespace task::memory {

std::vector<Template> MemoryRepository::list_templates(const TemplateQuery& query) {
  std::lock_guard lock(mu_);
  std::vector<Template> out;
  for (const auto& [id, t] : templates_) {
    if (query.active_only && !t.is_active) continue;
    if (query.category && t.category != *query.category) continue;
    if (query.task_type && t.task_type != *query.task_type) continue;
    if (query.max_level && !level_at_least(*query.max_level, t.required_subscription_level))
      continue;
    out.push_back(t);
  }
  std::sort(out.begin(), out.end(), [](const Template& a, const Template& b) {
    const auto ca = to_string(a.category), cb = to_string(b.category);
    if (ca != cb) return ca < cb;
    if (a.name != b.name) return a.name < b.name;
    return a.template_id < b.template_id;
  });
  return out;
}

std::optional<Template> MemoryRepository::find_template(std::string_view template_id) {
  return copy_of(mu_, templates_, template_id);
}

Template MemoryRepository::upsert_template(const Template& tmpl) {
  std::lock_guard lock(mu_);
  Template t = tmpl;
  const auto it = templates_.find(t.template_id);
  t.id = it == templates_.end() ? ++next_template_id_ : it->second.id;
  templates_[t.template_id] = t;
  return t;
}

void load_builtin_templates(CatalogStore& catalog, Timestamp at) {
  for (const auto& t : builtin_templates(at))
    catalog.upsert_template(t);
}

}  // namespace task::memory
