// Templates of SqlRepository.
#include "codec.hpp"
#include "sql_repository.hpp"

namespace task::store::detail {

namespace {

const char* const kLevelRank =
    "(CASE required_subscription_level WHEN 'enterprise' THEN 3 WHEN 'pro' THEN 2 WHEN 'basic' "
    "THEN 1 ELSE 0 END)";

}  // namespace

std::vector<Template> SqlRepository::list_templates(const TemplateQuery& q) {
  return db_->with_session([&](soci::session& s) {
    Params p;
    std::string w = " WHERE 1 = 1";
    if (q.category) w += " AND category = " + p.add(std::string(to_string(*q.category)));
    if (q.task_type) w += " AND task_type = " + p.add(std::string(to_string(*q.task_type)));
    if (q.max_level)
      w += std::string(" AND ") + kLevelRank + " <= " + p.add(static_cast<int>(*q.max_level));
    if (q.active_only) w += " AND is_active";
    std::vector<Template> out;
    query(s,
          "SELECT " + template_columns(d()) + " FROM " + t("task_templates") + w + " ORDER BY " +
              d().order_text("category") + ", " + d().order_text("name") + ", " +
              d().order_text("template_id"),
          p, [&](const soci::row& r) { out.push_back(template_from_row(r)); });
    return out;
  });
}

std::optional<Template> SqlRepository::find_template(std::string_view template_id) {
  return db_->with_session([&](soci::session& s) -> std::optional<Template> {
    Params p;
    std::optional<Template> out;
    query(s,
          "SELECT " + template_columns(d()) + " FROM " + t("task_templates") +
              " WHERE template_id = " + p.add(std::string(template_id)),
          p, [&](const soci::row& r) { out = template_from_row(r); });
    return out;
  });
}

Template SqlRepository::upsert_template(const Template& tmpl) {
  return db_->with_session([&](soci::session& s) {
    Template stored = tmpl;
    Params p;
    auto [cols, vals] = template_values(d(), stored, p);
    stored.id = query_int(s,
                          "INSERT INTO " + t("task_templates") + " (" + cols + ") VALUES (" + vals +
                              ") ON CONFLICT (template_id) DO UPDATE SET " +
                              excluded_assignments(cols) + " RETURNING id",
                          p)
                    .value_or(0);
    return stored;
  });
}

void SqlRepository::seed_templates(const std::vector<Template>& templates) {
  for (const auto& tmpl : templates)
    if (!find_template(tmpl.template_id)) upsert_template(tmpl);
}

}  // namespace task::store::detail
