// Stored subscription levels and a user's open tasks (account events) of SqlRepository.
#include "codec.hpp"
#include "sql_repository.hpp"

namespace task::store::detail {

std::optional<SubscriptionLevel> SqlRepository::find_user_level(std::string_view user_id) {
  return db_->with_session([&](soci::session& s) -> std::optional<SubscriptionLevel> {
    Params p;
    std::optional<SubscriptionLevel> out;
    query(
        s,
        "SELECT level FROM " + t("user_levels") + " WHERE user_id = " + p.add(std::string(user_id)),
        p, [&](const soci::row& r) { out = stored_enum<SubscriptionLevel>(col_str(r, 0)); });
    return out;
  });
}

void SqlRepository::set_user_level(std::string_view user_id, SubscriptionLevel level,
                                   Timestamp changed_at) {
  db_->with_session([&](soci::session& s) {
    Params p;
    execute(s,
            "INSERT INTO " + t("user_levels") + " (user_id, level, changed_at) VALUES (" +
                p.add(std::string(user_id)) + ", " + p.add(std::string(to_string(level))) + ", " +
                p.add(changed_at) +
                ") ON CONFLICT (user_id) DO UPDATE SET level = excluded.level, changed_at = "
                "excluded.changed_at",
            p);
  });
}

std::vector<std::string> SqlRepository::list_open_task_ids(std::string_view user_id) {
  return db_->with_session([&](soci::session& s) {
    Params p;
    std::vector<std::string> out;
    query(s,
          "SELECT task_id FROM " + t("user_tasks") +
              " WHERE deleted_at IS NULL AND user_id = " + p.add(std::string(user_id)) +
              " AND status NOT IN ('cancelled', 'completed') ORDER BY id",
          p, [&](const soci::row& r) { out.push_back(col_str(r, 0)); });
    return out;
  });
}

}  // namespace task::store::detail
