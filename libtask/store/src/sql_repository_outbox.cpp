// The outbox of SqlRepository: fetch, mark published, prune, backlog.
#include <algorithm>

#include "codec.hpp"
#include "sql_repository.hpp"

namespace task::store::detail {

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

}  // namespace task::store::detail
