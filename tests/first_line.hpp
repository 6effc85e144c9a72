// The bound on a finding's first line (issue 16): a short statement of the hazard naming the object, with the why,
// the lock, the transaction and measured facts in notes. "At most 80 characters apart from long identifiers": names
// are as long as the user made them, so a word that is not prose counts at most kNameCap characters (a typical
// short name, such as "orders"). Prose is a word of at most 16 lower-case letters and hyphens, or an upper-case
// keyword (ACCESS, CONCURRENTLY), with trailing punctuation; anything else (underscores, dots, digits, quotes,
// brackets, mixed case, a longer word) is a name, a type, a value or a path. A quoted name ("Users can read",
// 'a b') is one word.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

namespace dgtest {

inline constexpr std::size_t kFirstLineWidth = 80;
inline constexpr std::size_t kNameCap = 8;
inline constexpr std::size_t kLongestProse = 16;

namespace detail {
inline bool prose(const std::string& w) {
  std::size_t end = w.find_last_not_of(",:;");
  if (end == std::string::npos) return true;
  bool lower = true;
  bool upper = true;
  for (std::size_t i = 0; i <= end; ++i) {
    char c = w[i];
    lower = lower && ((c >= 'a' && c <= 'z') || c == '-');
    upper = upper && c >= 'A' && c <= 'Z';
  }
  return (lower && end < kLongestProse) || upper;
}

inline std::size_t chars(const std::string& w) {
  std::size_t n = 0;
  for (char c : w) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;  // UTF-8 code points
  return n;
}
}  // namespace detail

// The width of the message's first line as the bound counts it.
inline std::size_t first_line_width(const std::string& message) {
  std::string line = message.substr(0, message.find('\n'));
  std::size_t width = 0;
  std::string word;
  char quote = 0;
  auto end_word = [&] {
    std::size_t n = detail::chars(word);
    width += detail::prose(word) ? n : std::min(n, kNameCap);
    word.clear();
  };
  for (char ch : line) {
    if (quote == 0 && ch == ' ') {
      end_word();
      ++width;
      continue;
    }
    // A quote opens at the start of a word or name part (public."My table"; an apostrophe inside a word, as in
    // "table's", does not) and closes at the same character.
    char prev = word.empty() ? ' ' : word.back();
    if (quote != 0 && ch == quote) {
      quote = 0;
    } else if (quote == 0 && (word.empty() || prev == '.' || prev == '(') && (ch == '"' || ch == '\'')) {
      quote = ch;
    }
    word += ch;
  }
  end_word();
  return width;
}

}  // namespace dgtest

namespace dgtest {

// The first line and its notes, one "note: " line each (the detail the first line leaves out): tests that check
// what a finding says about its object check this text, so the detail must still be somewhere in the finding.
template <class F>
std::string with_notes(const F& f) {
  std::string out = f.message;
  for (const auto& n : f.notes) {
    out += "\nnote: ";
    out += n.message;
  }
  return out;
}

// A --format json report as "file:line:col: message [rule]" lines, each followed by its notes ("  note: ..."): the
// binary's findings with the detail their first lines leave out. `rule`, when given, keeps only that rule's.
inline std::string report_with_notes(const std::string& json_report, const std::string& rule = "") {
  const nlohmann::json report = nlohmann::json::parse(json_report);  // named: findings refer into it
  std::string out;
  for (const auto& f : report["findings"]) {
    const std::string r = f["rule"].get<std::string>();
    if (!rule.empty() && r != rule) continue;
    out += f["file"].get<std::string>() + ":" + std::to_string(f["line"].get<int>()) + ":" +
           std::to_string(f["column"].get<int>()) + ": " + f["message"].get<std::string>() + " [" + r + "]\n";
    for (const auto& n : f.value("notes", nlohmann::json::array())) {
      out += "  note: ";  // appends: GCC 12 -O3 warns falsely (-Wrestrict) on `"literal" + std::string&&`
      out += n["message"].get<std::string>();
      out += '\n';
    }
  }
  return out;
}

}  // namespace dgtest
