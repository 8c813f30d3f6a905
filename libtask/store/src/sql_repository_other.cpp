// Executions, templates, analytics, users, outbox and health of SqlRepository.
#include <algorithm>

#include "codec.hpp"
#include "sql_repository.hpp"
#include "task/codec/json_numbers.hpp"

namespace task::store::detail {

namespace {

const char* const kLevelRank =
    "(CASE required_subscription_level WHEN 'enterprise' THEN 3 WHEN 'pro' THEN 2 WHEN 'basic' "
    "THEN 1 ELSE 0 END)";

/// floor(started_at / 15 min) for micros, also for times before 1970.
const char* const kQuarterHour =
    "((started_at - (((started_at % 900000000) + 900000000) % 900000000)) / 900000000)";

/// floor(t / 15 min), the value of kQuarterHour for started_at = t.
std::int64_t quarter_hour_of(Timestamp t) {
  const std::int64_t us = to_unix_micros(t), q = 900000000;
  return (us - (((us % q) + q) % q)) / q;
}

std::string user_filter(std::optional<std::string_view> user_id, Params& p) {
  return user_id ? " AND user_id = " + p.add(std::string(*user_id)) : std::string();
}

}  // namespace

std::optional<Execution> SqlRepository::find_execution(std::string_view execution_id) {
  return db_->with_session([&](soci::session& s) -> std::optional<Execution> {
    Params p;
    std::optional<Execution> out;
    query(s,
          "SELECT " + execution_columns(d()) + " FROM " + t("task_executions") +
              " WHERE execution_id = " + p.add(std::string(execution_id)),
          p, [&](const soci::row& r) { out = decode_execution(r, OnUnreadable::fail); });
    return out;
  });
}

ExecutionPage SqlRepository::list_executions(std::string_view task_id, int limit, int offset) {
  return db_->with_session([&](soci::session& s) {
    ExecutionPage page;
    Params cp;
    page.total = query_int(s,
                           "SELECT COUNT(*) FROM " + t("task_executions") +
                               " WHERE task_id = " + cp.add(std::string(task_id)),
                           cp)
                     .value_or(0);
    Params p;
    query(s,
          "SELECT " + execution_columns(d()) + " FROM " + t("task_executions") +
              " WHERE task_id = " + p.add(std::string(task_id)) +
              " ORDER BY started_at DESC, id DESC LIMIT " + p.add(std::max(limit, 0)) + " OFFSET " +
              p.add(std::max(offset, 0)),
          p, [&](const soci::row& r) {
            if (auto e = decode_execution(r, OnUnreadable::skip))
              page.executions.push_back(std::move(*e));
          });
    return page;
  });
}

std::int64_t SqlRepository::count_executions_since(std::string_view user_id, Timestamp since) {
  return db_->with_session([&](soci::session& s) {
    Params p;
    return query_int(s,
                     "SELECT COUNT(*) FROM " + t("task_executions") + " WHERE user_id = " +
                         p.add(std::string(user_id)) + " AND started_at >= " + p.add(since),
                     p)
        .value_or(0);
  });
}

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

TaskCounts SqlRepository::count_tasks_by(std::optional<std::string_view> user_id) {
  return db_->with_session([&](soci::session& s) {
    // One pass over (user_id, status, task_type) WHERE deleted_at IS NULL: index-only scan.
    TaskCounts counts;
    Params p;
    query(s,
          "SELECT status, task_type, COUNT(*) FROM " + t("user_tasks") +
              " WHERE deleted_at IS NULL" + user_filter(user_id, p) + " GROUP BY status, task_type",
          p, [&](const soci::row& r) {
            const std::int64_t n = col_i64(r, 2);
            counts.by_status[stored_enum<TaskStatus>(col_str(r, 0))] += n;
            counts.by_type[stored_enum<TaskType>(col_str(r, 1))] += n;
          });
    return counts;
  });
}

ExecutionTotals SqlRepository::execution_totals(std::optional<std::string_view> user_id,
                                                Timestamp since) {
  return db_->with_session([&](soci::session& s) {
    // One scan grouped by quarter hour; the totals are the sums of the groups. The redundant
    // quarter-hour bound lets PostgreSQL range-scan idx_executions_user_quarter (0002).
    ExecutionTotals totals;
    std::int64_t duration_sum = 0, duration_count = 0;
    Params p;
    query(s,
          std::string("SELECT ") + kQuarterHour +
              ", COUNT(*), SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END), "
              "SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), "
              "CAST(COALESCE(SUM(duration_ms), 0) AS BIGINT), COUNT(duration_ms), " +
              // PostgreSQL's float8 SUM fails on overflow: sum exactly, saturate at the
              // largest double (totals never become null; docs/api.md "Numbers in JSON").
              (d().pg() ? "CAST(LEAST(COALESCE(SUM(CAST(credits_consumed AS NUMERIC)), 0), "
                          "1.7976931348623157e308) AS DOUBLE PRECISION), "
                        : "CAST(COALESCE(SUM(credits_consumed), 0) AS DOUBLE PRECISION), ") +
              "CAST(COALESCE(SUM(tokens_used), 0) AS BIGINT), "
              "CAST(COALESCE(SUM(api_calls_made), 0) AS BIGINT) FROM " +
              t("task_executions") + " WHERE started_at >= " + p.add(since) + " AND " +
              kQuarterHour + " >= " + p.add(quarter_hour_of(since)) + user_filter(user_id, p) +
              " GROUP BY 1",
          p, [&](const soci::row& r) {
            const std::int64_t n = col_i64(r, 1);
            totals.by_quarter_hour.emplace_back(col_i64(r, 0), n);
            totals.total += n;
            totals.successful += col_i64(r, 2);
            totals.failed += col_i64(r, 3);
            duration_sum += col_i64(r, 4);
            duration_count += col_i64(r, 5);
            totals.credits = saturating_add(totals.credits, col_double(r, 6));
            totals.tokens += col_i64(r, 7);
            totals.api_calls += col_i64(r, 8);
          });
    std::sort(totals.by_quarter_hour.begin(), totals.by_quarter_hour.end());
    if (duration_count > 0)
      totals.average_duration_ms =
          static_cast<double>(duration_sum) / static_cast<double>(duration_count);
    return totals;
  });
}

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

std::vector<OutboxEntry> SqlRepository::fetch_outbox(int limit) {
  return db_->with_session([&](soci::session& s) {
    Params p;
    std::vector<OutboxEntry> out;
    query(s,
          "SELECT seq, event_id, type, time, task_id, user_id, " + d().json_out("data") +
              ", traceparent, tracestate FROM " + t("event_outbox") +
              " WHERE published_at IS NULL ORDER BY seq LIMIT " + p.add(std::max(limit, 0)),
          p, [&](const soci::row& r) {
            OutboxEntry e;
            e.seq = col_i64(r, 0);
            e.event.id = col_str(r, 1);
            e.event.type = col_str(r, 2);
            e.event.time = col_time(r, 3);
            e.event.task_id = col_str(r, 4);
            e.event.user_id = col_str(r, 5);
            e.event.traceparent = col_opt_str(r, 7).value_or("");
            e.event.tracestate = col_opt_str(r, 8).value_or("");
            try {
              auto data = col_json(r, 6);
              if (data.is_object()) e.event.data = data.as_object();
            } catch (const std::exception& x) {
              // Left unpublished (and counted) rather than stalling the relay behind it.
              skipped(Unreadable("event_outbox", e.event.id, x.what()));
              return;
            }
            out.push_back(std::move(e));
          });
    return out;
  });
}

void SqlRepository::mark_published(const std::vector<std::int64_t>& seqs, Timestamp now) {
  if (seqs.empty()) return;
  db_->in_transaction([&](soci::session& s) {
    Params p;
    std::string in;
    for (auto seq : seqs)
      in += (in.empty() ? "" : ", ") + p.add(seq);
    execute(s,
            "UPDATE " + t("event_outbox") + " SET published_at = " + p.add(now) +
                " WHERE published_at IS NULL AND seq IN (" + in + ")",
            p);
  });
}

std::int64_t SqlRepository::prune_outbox(Timestamp before) {
  return db_->with_session([&](soci::session& s) {
    Params p;
    return execute(s,
                   "DELETE FROM " + t("event_outbox") +
                       " WHERE published_at IS NOT NULL AND published_at < " + p.add(before),
                   p);
  });
}

std::pair<std::int64_t, std::optional<Timestamp>> SqlRepository::outbox_backlog() {
  return db_->with_session([&](soci::session& s) {
    Params p;
    std::pair<std::int64_t, std::optional<Timestamp>> out{0, std::nullopt};
    query(s, "SELECT COUNT(*), MIN(time) FROM " + t("event_outbox") + " WHERE published_at IS NULL",
          p, [&](const soci::row& r) {
            out.first = col_i64(r, 0);
            out.second = col_opt_time(r, 1);
          });
    return out;
  });
}

void SqlRepository::ping() {
  db_->with_session([&](soci::session& s) {
    Params p;
    query_int(s, "SELECT 1", p);
  });
}

}  // namespace task::store::detail
