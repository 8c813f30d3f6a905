#pragma once
/// Exact JSON numbers (docs/api.md §3, docs/api.md "Numbers in JSON"): one parser and one rule for
/// what a store can hold, shared by request bodies, stored rows and executor results.
///
/// Boost.JSON 1.81's parser rounds some decimal literals to a neighbour of the nearest double (a
/// stored value would change by one bit on every read) and reads a literal beyond the double range
/// as infinity, which no store can write back. parse_json reads numbers with std::from_chars
/// (correctly rounded) and keeps overflow as ±infinity so that find_unstorable can name it.
///
///   boost::system::error_code ec;
///   auto v = task::parse_json(body, ec);                       // exact numbers, depth <= 32
///   if (auto bad = task::find_unstorable(v, {"body"})) ...     // 422 at bad->loc
///
/// Ownership: arguments are read during the call and never kept; results are values the caller
/// owns. Thread-safety: pure functions without shared state; safe from any number of threads.
#include <boost/json/value.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace task {

/// Most nested arrays/objects in a request body (the outermost object counts as one).
inline constexpr std::size_t kMaxJsonDepth = 32;
/// Most nested arrays/objects in a stored JSON value (a stored result wraps a response body of
/// at most kMaxJsonDepth levels; reads allow this much so that anything written reads back).
inline constexpr std::size_t kMaxStoredJsonDepth = 64;

/// Parses one JSON document. Integers that fit int64/uint64 are kept exactly; every other number
/// is the nearest double (correctly rounded); a literal below the smallest double is ±0; a literal
/// beyond the largest double is ±infinity (refused later by find_unstorable). More than
/// `max_depth` nested arrays/objects is an error. Sets `ec` on any syntax error.
boost::json::value parse_json(std::string_view text, boost::system::error_code& ec,
                              std::size_t max_depth = kMaxJsonDepth);

/// parse_json for text read back from a store (at most kMaxStoredJsonDepth levels): also reads
/// the bare tokens `Infinity`, `-Infinity` and `NaN` (outside strings), which earlier releases
/// wrote for non-finite numbers, and any number beyond the double range, as null. `repaired`
/// (when given) tells whether any such value was replaced.
boost::json::value parse_stored_json(std::string_view text, boost::system::error_code& ec,
                                     bool* repaired = nullptr);

/// `text` with every bare `Infinity`, `-Infinity` and `NaN` token outside strings replaced by
/// `null`; nullopt when there is none.
std::optional<std::string> replace_non_finite_tokens(std::string_view text);

/// Why a JSON value cannot be stored, and where.
struct JsonDefect {
  std::vector<std::string> loc;  ///< e.g. {"body", "config", "x"}; array indexes as "2"
  std::string path;              ///< the same below the root, e.g. "config.a.b[2]"
  std::string message;           ///< e.g. "non-finite number at config.x"
  std::string type;              ///< "finite_number", "string_nul" or "json_too_deep"
};

/// The first value inside `v` (depth-first, in document order) that a store cannot hold: a
/// non-finite number (the result of an overflowing literal), a string or key containing U+0000
/// (PostgreSQL's jsonb refuses it), or more than `max_depth` nested arrays/objects. `root` is the
/// location of `v` itself (e.g. {"body"} or {"result"}); the path text leaves out a leading "body".
std::optional<JsonDefect> find_unstorable(const boost::json::value& v,
                                          const std::vector<std::string>& root,
                                          std::size_t max_depth = kMaxStoredJsonDepth);

/// The message of the 422 for a defect, e.g. "Input should be a finite number: number beyond
/// the range of a double at config.x".
std::string validation_message(const JsonDefect& defect);

/// A sum of non-negative amounts that saturates at the largest double instead of overflowing
/// to infinity (which JSON cannot carry: it would be written as null).
double saturating_add(double total, double amount);

}  // namespace task
