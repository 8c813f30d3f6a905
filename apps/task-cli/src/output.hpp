#pragma once
/// Printing results: JSON identical to the HTTP representation (`json`), one element per line
/// (`jsonl`), aligned tables for people (`table`), or ids only (`--quiet`).
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <iosfwd>
#include <string>
#include <vector>

#include "options.hpp"

namespace task::cli {

/// The mode in force: the explicit --output, else table on a terminal and json otherwise.
OutputMode resolve_output_mode(const std::optional<OutputMode>& requested, bool stdout_is_tty);

/// Aligned columns with a header row; cells are single-line text.
std::string render_table(const std::vector<std::string>& headers,
                         const std::vector<std::vector<std::string>>& rows);

/// A JSON scalar as table text: strings unquoted, null as "-", others as compact JSON.
std::string cell_text(const boost::json::value& v);

/// Writes results in the chosen mode.
class Printer {
 public:
  Printer(std::ostream& out, OutputMode mode, bool quiet) : out_(out), mode_(mode), quiet_(quiet) {}

  /// One task (show, add, edit, done, ...).
  void task(const boost::json::object& t);
  /// A list page (list): tasks table, or the page object in json, one task per line in jsonl.
  void task_page(const boost::json::object& page);
  /// One execution (run).
  void execution(const boost::json::object& e);
  /// Executions of a task (runs), with the total count.
  void executions(const boost::json::array& items, std::int64_t total);
  /// Templates.
  void templates(const boost::json::array& items);
  /// Analytics (stats).
  void analytics(const boost::json::object& a);
  /// The answer of a delete.
  void deleted(const boost::json::object& reply);
  /// Fire times of `next` (RFC 3339 UTC), with local renderings for the table.
  void fire_times(const std::vector<std::string>& utc, const std::vector<std::string>& local);

  /// A result with rows (upcoming, preview, completions): a table of `rows` under `headers`; the
  /// whole JSON answer in json; one line per element of `items` in jsonl; nothing when quiet.
  void table_or_json(const boost::json::value& whole, const boost::json::array& items,
                     const std::vector<std::string>& headers,
                     const std::vector<std::vector<std::string>>& rows);
  /// A line for people (table mode only, not quiet), e.g. `done`'s next due date.
  void note(const std::string& line);

  OutputMode mode() const { return mode_; }

 private:
  void json_line(const boost::json::value& v);
  void key_values(const boost::json::object& o);
  /// One record: its `id_key` when quiet, key: value lines in table mode, else one JSON line.
  void record(const boost::json::object& o, const char* id_key);
  /// The quiet, json and jsonl forms of a listing: the `id_key` of each item, `whole` as one
  /// line, one line per item. False in table mode, where the caller renders the table.
  bool listed_plainly(const boost::json::value& whole, const boost::json::array& items,
                      const char* id_key);

  std::ostream& out_;
  OutputMode mode_;
  bool quiet_;
};

}  // namespace task::cli
