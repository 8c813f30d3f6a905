// Exact JSON numbers: a Boost.JSON basic_parser handler that reads numbers with std::from_chars,
// and the rule for what a store can hold (docs/api.md "Numbers in JSON").
#include "task/codec/json_numbers.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value_stack.hpp>
#include <charconv>
#include <cmath>
#include <limits>

namespace task {
namespace json = boost::json;

namespace {

/// Builds the value like json::parser does, except for doubles: Boost's value is only used to
/// tell overflow from underflow; the number is the correctly rounded reading of its literal.
class ExactHandler {
 public:
  static constexpr std::size_t max_object_size = json::object::max_size();
  static constexpr std::size_t max_array_size = json::array::max_size();
  static constexpr std::size_t max_key_size = json::string::max_size();
  static constexpr std::size_t max_string_size = json::string::max_size();

  json::value_stack st;
  std::string number;  // parts of a number split across input buffers

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_object_begin(json::error_code&) { return true; }
  bool on_object_end(std::size_t n, json::error_code&) {
    st.push_object(n);
    return true;
  }
  bool on_array_begin(json::error_code&) { return true; }
  bool on_array_end(std::size_t n, json::error_code&) {
    st.push_array(n);
    return true;
  }
  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    st.push_chars(s);
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code&) {
    st.push_key(s);
    return true;
  }
  bool on_string_part(json::string_view s, std::size_t, json::error_code&) {
    st.push_chars(s);
    return true;
  }
  bool on_string(json::string_view s, std::size_t, json::error_code&) {
    st.push_string(s);
    return true;
  }
  bool on_number_part(json::string_view s, json::error_code&) {
    number.append(s.data(), s.size());
    return true;
  }
  bool on_int64(std::int64_t i, json::string_view, json::error_code&) {
    number.clear();
    st.push_int64(i);
    return true;
  }
  bool on_uint64(std::uint64_t u, json::string_view, json::error_code&) {
    number.clear();
    st.push_uint64(u);
    return true;
  }
  bool on_double(double approx, json::string_view s, json::error_code&) {
    number.append(s.data(), s.size());
    st.push_double(exact(approx));
    number.clear();
    return true;
  }
  bool on_bool(bool b, json::error_code&) {
    st.push_bool(b);
    return true;
  }
  bool on_null(json::error_code&) {
    st.push_null();
    return true;
  }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

 private:
  double exact(double approx) const {
    const char* first = number.data();
    const char* last = first + number.size();
    const bool negative = first != last && *first == '-';
    double d = 0;
    auto [ptr, ec] = std::from_chars(first, last, d);
    if (ec == std::errc() && ptr == last) return d;
    if (ec == std::errc::result_out_of_range) {
      // Beyond the double range: overflow keeps its sign as infinity, underflow is ±0.
      const bool overflow = std::isinf(approx) || std::abs(approx) >= 1.0;
      const double magnitude = overflow ? std::numeric_limits<double>::infinity() : 0.0;
      return negative ? -magnitude : magnitude;
    }
    return approx;  // cannot happen for a literal the parser accepted
  }
};

json::value parse_with(std::string_view text, json::error_code& ec, std::size_t max_depth) {
  json::parse_options opt;
  opt.max_depth = max_depth;
  json::basic_parser<ExactHandler> p(opt);
  p.handler().st.reset();
  const auto n = p.write_some(false, text.data(), text.size(), ec);
  if (ec) return nullptr;
  // write_some stops after one document: anything but whitespace after it is an error.
  for (std::size_t i = n; i < text.size(); ++i) {
    const char c = text[i];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
      ec = json::error::extra_data;
      return nullptr;
    }
  }
  return p.handler().st.release();
}

bool token_at(std::string_view text, std::size_t i, std::string_view token) {
  if (text.compare(i, token.size(), token) != 0) return false;
  const auto end = i + token.size();
  if (end >= text.size()) return true;
  const char c = text[end];
  return !(std::isalnum(static_cast<unsigned char>(c)) || c == '_');
}

struct Walker {
  std::size_t max_depth;
  std::vector<std::string> loc;
  std::string path;
  std::optional<JsonDefect> found;

  void report(std::string type, std::string what) {
    const std::string where = path.empty() ? std::string("the top level") : path;
    found = JsonDefect{loc, path, what + " at " + where, std::move(type)};
  }

  void walk(const json::value& v, std::size_t depth) {
    if (found) return;
    switch (v.kind()) {
      case json::kind::double_:
        if (!std::isfinite(v.get_double()))
          report("finite_number", "number beyond the range of a double");
        return;
      case json::kind::string:
        if (v.get_string().find('\0') != json::string::npos)
          report("string_nul", "string with the character U+0000");
        return;
      case json::kind::object: {
        if (depth + 1 > max_depth) {
          report("json_too_deep",
                 "more than " + std::to_string(max_depth) + " nested arrays/objects");
          return;
        }
        for (const auto& kv : v.get_object()) {
          const auto mark = path.size();
          loc.emplace_back(kv.key());
          if (!path.empty()) path += '.';
          path += kv.key();
          if (kv.key().find('\0') != json::string_view::npos) {
            report("string_nul", "key with the character U+0000");
            return;
          }
          walk(kv.value(), depth + 1);
          if (found) return;
          loc.pop_back();
          path.resize(mark);
        }
        return;
      }
      case json::kind::array: {
        if (depth + 1 > max_depth) {
          report("json_too_deep",
                 "more than " + std::to_string(max_depth) + " nested arrays/objects");
          return;
        }
        const auto& a = v.get_array();
        for (std::size_t i = 0; i < a.size(); ++i) {
          const auto mark = path.size();
          loc.push_back(std::to_string(i));
          path += "[" + std::to_string(i) + "]";
          walk(a[i], depth + 1);
          if (found) return;
          loc.pop_back();
          path.resize(mark);
        }
        return;
      }
      default:
        return;
    }
  }
};

/// Replaces every non-finite double in `v` by null; true when there was one.
bool null_non_finite(json::value& v) {
  bool changed = false;
  if (v.is_double()) {
    if (!std::isfinite(v.get_double())) {
      v = nullptr;
      return true;
    }
  } else if (auto* o = v.if_object()) {
    for (auto& kv : *o)
      changed = null_non_finite(kv.value()) || changed;
  } else if (auto* a = v.if_array()) {
    for (auto& e : *a)
      changed = null_non_finite(e) || changed;
  }
  return changed;
}

}  // namespace

json::value parse_json(std::string_view text, boost::system::error_code& ec,
                       std::size_t max_depth) {
  return parse_with(text, ec, max_depth);
}

std::optional<std::string> replace_non_finite_tokens(std::string_view text) {
  std::string out;
  bool changed = false;
  bool in_string = false;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < text.size()) {
        out += text[++i];
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
      out += c;
      continue;
    }
    std::size_t len = 0;
    if (token_at(text, i, "-Infinity"))
      len = 9;
    else if (token_at(text, i, "Infinity"))
      len = 8;
    else if (token_at(text, i, "NaN"))
      len = 3;
    if (len) {
      out += "null";
      i += len - 1;
      changed = true;
      continue;
    }
    out += c;
  }
  if (!changed) return std::nullopt;
  return out;
}

json::value parse_stored_json(std::string_view text, boost::system::error_code& ec,
                              bool* repaired) {
  if (repaired) *repaired = false;
  auto v = parse_with(text, ec, kMaxStoredJsonDepth);
  if (!ec) {
    // A number beyond the double range (a hand-written jsonb value) reads as null, as the old
    // tokens do: never as an infinity that could not be written back.
    if (find_unstorable(v, {}, kMaxStoredJsonDepth) && null_non_finite(v) && repaired)
      *repaired = true;
    return v;
  }
  auto fixed = replace_non_finite_tokens(text);
  if (!fixed) return nullptr;
  boost::system::error_code ec2;
  v = parse_with(*fixed, ec2, kMaxStoredJsonDepth);
  if (ec2) return nullptr;  // keep the first error: the text is broken beyond the old tokens
  ec.clear();
  null_non_finite(v);
  if (repaired) *repaired = true;
  return v;
}

std::optional<JsonDefect> find_unstorable(const json::value& v,
                                          const std::vector<std::string>& root,
                                          std::size_t max_depth) {
  Walker w{max_depth, root, {}, std::nullopt};
  for (std::size_t i = 0; i < root.size(); ++i) {
    if (i == 0 && root[i] == "body") continue;
    if (!w.path.empty()) w.path += '.';
    w.path += root[i];
  }
  w.walk(v, 0);
  return w.found;
}

std::string validation_message(const JsonDefect& defect) {
  if (defect.type == "finite_number") return "Input should be a finite number: " + defect.message;
  if (defect.type == "string_nul") return "Input should not contain U+0000: " + defect.message;
  return "Input should be less deeply nested: " + defect.message;
}

double saturating_add(double total, double amount) {
  const double sum = total + amount;
  if (std::isfinite(sum)) return sum;
  if (std::isnan(sum)) return total;
  return sum > 0 ? std::numeric_limits<double>::max() : std::numeric_limits<double>::lowest();
}

}  // namespace task
