// Migration-tool markers written as line comments ("-- +goose Down", "-- migrate:up", "-- +goose StatementEnd"):
// the runners match them per line, case-insensitively, after the "--".
#pragma once

#include <cctype>
#include <string>
#include <string_view>
#include <vector>

namespace driftguard {

struct MarkerLine {
  std::size_t line_begin;  // offset of the line
  std::size_t dashes;      // offset of its "--"
  std::size_t end;         // offset of its line break (or the end of the text)
  std::string text;        // what follows "--" and blanks, lower-cased ("+goose down", "migrate:up ...")
};

// Every line whose first non-blank characters are "--".
inline std::vector<MarkerLine> marker_lines(std::string_view s) {
  std::vector<MarkerLine> out;
  std::size_t pos = 0;
  while (pos < s.size()) {
    std::size_t eol = s.find('\n', pos);
    if (eol == std::string_view::npos) eol = s.size();
    std::size_t i = pos;
    while (i < eol && (s[i] == ' ' || s[i] == '\t')) ++i;
    if (s.substr(i, 2) == "--") {
      std::size_t j = i + 2;
      while (j < eol && (s[j] == ' ' || s[j] == '\t')) ++j;
      std::string rest(s.substr(j, eol - j));
      for (auto& ch : rest) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      out.push_back(MarkerLine{pos, i, eol, std::move(rest)});
    }
    pos = eol + 1;
  }
  return out;
}

}  // namespace driftguard
