// Migration-tool markers written as line comments ("-- +goose Down", "-- migrate:up", "-- +goose StatementEnd"):
// the runners match them per line, case-insensitively, after the "--".
#pragma once

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/finding.hpp"

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

// `needle` (lower case) occurs in `text` in any case. `anchor` is the index of a character of the needle that has no
// case ('+', ':'): the text is searched for it (memchr) and the needle compared around each one, instead of lowering
// every byte of the text (down_sections asks this of every file several times: once for each reader).
inline bool contains_nocase(std::string_view text, std::string_view needle, std::size_t anchor) {
  for (std::size_t at = text.find(needle[anchor], anchor); at != std::string_view::npos;
       at = text.find(needle[anchor], at + 1)) {
    const std::size_t start = at - anchor;
    if (start + needle.size() > text.size()) return false;
    std::size_t i = 0;
    while (i < needle.size() && std::tolower(static_cast<unsigned char>(text[start + i])) == needle[i]) ++i;
    if (i == needle.size()) return true;
  }
  return false;
}

// goose (`-- +goose Down`) and dbmate (`-- migrate:down`) keep the down migration in the same file: statements from
// a down marker to the next up marker never run with the up migration (lint parses them without linting them; the
// replay and the shadow cluster do not run them). Returns the [begin, end) byte ranges.
inline std::vector<Span> down_sections(std::string_view text) {
  std::vector<Span> out;
  if (!contains_nocase(text, "+goose", 0) && !contains_nocase(text, "migrate:", 7)) return out;
  constexpr std::size_t kNone = std::string_view::npos;
  std::size_t down = kNone;  // start of the open down section
  for (const auto& m : marker_lines(text)) {
    bool is_down = m.text.rfind("+goose down", 0) == 0 || m.text.rfind("migrate:down", 0) == 0;
    bool is_up = m.text.rfind("+goose up", 0) == 0 || m.text.rfind("migrate:up", 0) == 0;
    if (is_down && down == kNone) down = m.line_begin;
    if (is_up && down != kNone) {
      out.push_back(Span{down, m.line_begin});
      down = kNone;
    }
  }
  if (down != kNone) out.push_back(Span{down, text.size()});
  return out;
}

// Is this offset inside one of the sections?
inline bool in_sections(const std::vector<Span>& sections, std::size_t offset) {
  return std::any_of(sections.begin(), sections.end(), [&](const Span& d) { return offset >= d.begin && offset < d.end; });
}

}  // namespace driftguard
