#include "output.hpp"

#include <boost/json.hpp>
#include <ostream>

#include "task/codec/json_codec.hpp"

namespace json = boost::json;

namespace task::cli {

namespace {

/// Display width of UTF-8 text (code points; good enough for names and ids).
std::size_t width(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

std::string field(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v ? cell_text(*v) : "-";
}

std::string join_strings(const json::value& v, const char* sep) {
  if (!v.is_array()) return cell_text(v);
  std::string s;
  for (const auto& e : v.get_array()) {
    if (!s.empty()) s += sep;
    s += cell_text(e);
  }
  return s.empty() ? "-" : s;
}

std::string truncate(std::string s, std::size_t max) {
  if (width(s) <= max) return s;
  std::string out;
  std::size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80 && ++n > max - 1) break;
    out.push_back(static_cast<char>(c));
  }
  return out + "…";
}

/// "When" column of a task: next run, else due date.
std::string when_of(const json::object& t) {
  const auto next = field(t, "next_run_time");
  if (next != "-") return "next " + next;
  const auto due = field(t, "due_date");
  return due != "-" ? "due " + due : "-";
}

std::vector<std::string> task_row(const json::object& t) {
  return {field(t, "task_id"),
          truncate(field(t, "name"), 40),
          field(t, "task_type"),
          field(t, "status"),
          field(t, "priority"),
          when_of(t),
          join_strings(t.contains("tags") ? t.at("tags") : json::value(nullptr), ",")};
}

const std::vector<std::string> kTaskHeaders = {"TASK_ID",  "NAME", "TYPE", "STATUS",
                                               "PRIORITY", "WHEN", "TAGS"};

std::string duration_text(const json::object& e) {
  const auto* d = e.if_contains("duration_ms");
  if (!d || d->is_null()) return "-";
  return cell_text(*d) + "ms";
}

}  // namespace

OutputMode resolve_output_mode(const std::optional<OutputMode>& requested, bool stdout_is_tty) {
  if (requested) return *requested;
  return stdout_is_tty ? OutputMode::table : OutputMode::json;
}

std::string cell_text(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      return "-";
    case json::kind::string: {
      std::string s(v.get_string());
      for (auto& c : s)
        if (c == '\n' || c == '\t' || c == '\r') c = ' ';
      return s;
    }
    default:
      return to_json_text(v);
  }
}

std::string render_table(const std::vector<std::string>& headers,
                         const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths(headers.size());
  for (std::size_t i = 0; i < headers.size(); ++i)
    widths[i] = width(headers[i]);
  for (const auto& r : rows)
    for (std::size_t i = 0; i < r.size() && i < widths.size(); ++i)
      widths[i] = std::max(widths[i], width(r[i]));
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    std::string l;
    for (std::size_t i = 0; i < cells.size() && i < widths.size(); ++i) {
      l += cells[i];
      if (i + 1 < cells.size()) l += std::string(widths[i] - width(cells[i]) + 2, ' ');
    }
    out += l + "\n";
  };
  line(headers);
  for (const auto& r : rows)
    line(r);
  return out;
}

void Printer::json_line(const json::value& v) {
  out_ << to_json_text(v) << '\n';
}

void Printer::key_values(const json::object& o) {
  std::size_t w = 0;
  for (const auto& kv : o)
    w = std::max(w, kv.key().size());
  for (const auto& kv : o)
    out_ << std::string(kv.key()) << ':' << std::string(w - kv.key().size() + 1, ' ')
         << cell_text(kv.value()) << '\n';
}

void Printer::record(const json::object& o, const char* id_key) {
  if (quiet_) {
    out_ << field(o, id_key) << '\n';
  } else if (mode_ == OutputMode::table) {
    key_values(o);
  } else {
    json_line(o);
  }
}

bool Printer::listed_plainly(const json::value& whole, const json::array& items,
                             const char* id_key) {
  if (quiet_) {
    for (const auto& v : items)
      out_ << field(v.as_object(), id_key) << '\n';
  } else if (mode_ == OutputMode::json) {
    json_line(whole);
  } else if (mode_ == OutputMode::jsonl) {
    for (const auto& v : items)
      json_line(v);
  } else {
    return false;
  }
  return true;
}

void Printer::task(const json::object& t) {
  record(t, "task_id");
}

void Printer::task_page(const json::object& page) {
  const auto* tasks = page.if_contains("tasks");
  const json::array empty;
  const json::array& items = tasks && tasks->is_array() ? tasks->get_array() : empty;
  if (listed_plainly(page, items, "task_id")) return;
  std::vector<std::vector<std::string>> rows;
  for (const auto& t : items)
    rows.push_back(task_row(t.as_object()));
  out_ << render_table(kTaskHeaders, rows);
  out_ << items.size() << " of " << field(page, "total") << " task(s)";
  if (auto c = field(page, "next_cursor"); c != "-") out_ << "; more with --cursor " << c;
  out_ << '\n';
}

void Printer::execution(const json::object& e) {
  record(e, "execution_id");
}

void Printer::executions(const json::array& items, std::int64_t total) {
  if (listed_plainly(items, items, "execution_id")) return;
  std::vector<std::vector<std::string>> rows;
  for (const auto& v : items) {
    const auto& e = v.as_object();
    rows.push_back({field(e, "execution_id"), field(e, "status"), field(e, "trigger_type"),
                    field(e, "started_at"), duration_text(e), field(e, "credits_consumed"),
                    truncate(field(e, "error_message"), 50)});
  }
  out_ << render_table(
      {"EXECUTION_ID", "STATUS", "TRIGGER", "STARTED", "DURATION", "CREDITS", "ERROR"}, rows);
  out_ << items.size() << " of " << total << " execution(s)\n";
}

void Printer::templates(const json::array& items) {
  if (listed_plainly(items, items, "template_id")) return;
  std::vector<std::vector<std::string>> rows;
  for (const auto& v : items) {
    const auto& t = v.as_object();
    rows.push_back(
        {field(t, "template_id"), field(t, "category"), field(t, "task_type"),
         field(t, "required_subscription_level"),
         join_strings(
             t.contains("required_fields") ? t.at("required_fields") : json::value(nullptr), ","),
         truncate(field(t, "name"), 40)});
  }
  out_ << render_table({"TEMPLATE_ID", "CATEGORY", "TYPE", "LEVEL", "REQUIRES", "NAME"}, rows);
}

void Printer::analytics(const json::object& a) {
  if (quiet_) return;
  if (mode_ == OutputMode::table)
    key_values(a);
  else
    json_line(a);
}

void Printer::deleted(const json::object& reply) {
  if (quiet_) {
    out_ << field(reply, "task_id") << '\n';
  } else if (mode_ == OutputMode::table) {
    out_ << field(reply, "message") << ": " << field(reply, "task_id") << '\n';
  } else {
    json_line(reply);
  }
}

void Printer::table_or_json(const json::value& whole, const json::array& items,
                            const std::vector<std::string>& headers,
                            const std::vector<std::vector<std::string>>& rows) {
  if (quiet_) return;
  if (mode_ == OutputMode::table) {
    out_ << render_table(headers, rows);
  } else if (mode_ == OutputMode::json) {
    json_line(whole);
  } else {
    for (const auto& v : items)
      json_line(v);
  }
}

void Printer::note(const std::string& line) {
  if (mode_ == OutputMode::table && !quiet_) out_ << line << '\n';
}

void Printer::fire_times(const std::vector<std::string>& utc,
                         const std::vector<std::string>& local) {
  if (mode_ == OutputMode::table && !quiet_) {
    std::vector<std::vector<std::string>> rows;
    for (std::size_t i = 0; i < utc.size(); ++i)
      rows.push_back({utc[i], i < local.size() ? local[i] : "-"});
    out_ << render_table({"UTC", "LOCAL"}, rows);
  } else if (mode_ == OutputMode::json && !quiet_) {
    json::array a;
    for (const auto& t : utc)
      a.emplace_back(t);
    json_line(a);
  } else {
    for (const auto& t : utc)
      out_ << (mode_ == OutputMode::jsonl ? json::serialize(json::value(t)) : t) << '\n';
  }
}

}  // namespace task::cli
