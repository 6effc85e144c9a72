#include "analyzer/text.hpp"

#include <algorithm>
#include <cctype>

namespace driftguard {

LineMap::LineMap(std::string_view text) : text_(text) {
  starts_.push_back(0);
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\n') {
      starts_.push_back(i + 1);
    } else if (c == '\r') {
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
      starts_.push_back(i + 1);
    }
  }
}

Position LineMap::position(std::size_t offset) const {
  offset = std::min(offset, text_.size());
  auto it = std::upper_bound(starts_.begin(), starts_.end(), offset);
  std::size_t line_index = static_cast<std::size_t>(it - starts_.begin()) - 1;
  std::size_t start = starts_[line_index];
  Position p;
  p.line = static_cast<int>(line_index + 1);
  p.column = static_cast<int>(count_chars(text_.substr(start, offset - start)) + 1);
  return p;
}

std::string_view LineMap::line_text(int line) const {
  if (line < 1 || static_cast<std::size_t>(line) > starts_.size()) return {};
  std::size_t start = starts_[static_cast<std::size_t>(line - 1)];
  std::size_t end = start;
  while (end < text_.size() && text_[end] != '\n' && text_[end] != '\r') ++end;
  return text_.substr(start, end - start);
}

std::size_t count_chars(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

std::optional<std::size_t> find_invalid_utf8(std::string_view s) {
  std::size_t i = 0;
  const std::size_t n = s.size();
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return i;
    }
    if (i + len > n) return i;
    for (std::size_t k = 1; k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong encodings, surrogates and values past U+10FFFF are invalid.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return i;
    }
    i += len;
  }
  return std::nullopt;
}

std::size_t sanitize_utf8(std::string& s) {
  std::size_t replaced = 0;
  std::size_t from = 0;
  while (from < s.size()) {
    auto bad = find_invalid_utf8(std::string_view(s).substr(from));
    if (!bad) break;
    s[from + *bad] = '?';
    ++replaced;
    from += *bad + 1;
  }
  return replaced;
}

std::optional<std::size_t> find_nul(std::string_view s) {
  auto p = s.find('\0');
  if (p == std::string_view::npos) return std::nullopt;
  return p;
}

std::size_t char_index_to_offset(std::string_view s, int chars) {
  if (chars <= 1) return 0;
  int seen = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      ++seen;
      if (seen == chars) return i;
    }
  }
  return s.size();
}

namespace lex {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool is_ident_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || (static_cast<unsigned char>(c) >= 0x80);
}
bool is_ident_char(char c) {
  return is_ident_start(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '$';
}

// Skips a quoted run starting at pos (s[pos] == q). Returns npos if unterminated. Doubled quotes escape.
std::size_t skip_quoted(std::string_view s, std::size_t pos, char q, bool backslash_escapes) {
  std::size_t i = pos + 1;
  while (i < s.size()) {
    char c = s[i];
    if (backslash_escapes && c == '\\') {
      i += 2;
      continue;
    }
    if (c == q) {
      if (i + 1 < s.size() && s[i + 1] == q) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    ++i;
  }
  return std::string_view::npos;
}

// If a dollar-quote tag starts at pos, returns its length ("$tag$" or "$$").
std::size_t dollar_tag_len(std::string_view s, std::size_t pos) {
  if (pos >= s.size() || s[pos] != '$') return 0;
  std::size_t i = pos + 1;
  if (i < s.size() && s[i] == '$') return 2;
  if (i >= s.size() || !(std::isalpha(static_cast<unsigned char>(s[i])) || s[i] == '_' ||
                         static_cast<unsigned char>(s[i]) >= 0x80)) {
    return 0;
  }
  while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_' ||
                          static_cast<unsigned char>(s[i]) >= 0x80)) {
    ++i;
  }
  if (i < s.size() && s[i] == '$') return i - pos + 1;
  return 0;
}

bool block_comment_closed(std::string_view s, std::size_t pos) {
  int depth = 0;
  for (std::size_t i = pos; i + 1 < s.size(); ++i) {
    if (s[i] == '/' && s[i + 1] == '*') {
      ++depth;
      ++i;
    } else if (s[i] == '*' && s[i + 1] == '/') {
      --depth;
      ++i;
      if (depth == 0) return true;
    }
  }
  return false;
}

}  // namespace

std::size_t skip_trivia(std::string_view s, std::size_t pos) {
  while (pos < s.size()) {
    char c = s[pos];
    if (is_space(c)) {
      ++pos;
    } else if (c == '-' && pos + 1 < s.size() && s[pos + 1] == '-') {
      while (pos < s.size() && s[pos] != '\n' && s[pos] != '\r') ++pos;
    } else if (c == '/' && pos + 1 < s.size() && s[pos + 1] == '*') {
      int depth = 1;
      pos += 2;
      while (pos < s.size() && depth > 0) {
        if (s[pos] == '/' && pos + 1 < s.size() && s[pos + 1] == '*') {
          ++depth;
          pos += 2;
        } else if (s[pos] == '*' && pos + 1 < s.size() && s[pos + 1] == '/') {
          --depth;
          pos += 2;
        } else {
          ++pos;
        }
      }
    } else {
      break;
    }
  }
  return pos;
}

std::size_t skip_token(std::string_view s, std::size_t pos) {
  if (pos >= s.size()) return pos;
  char c = s[pos];
  if (c == '\'') {
    bool esc = pos > 0 && (s[pos - 1] == 'E' || s[pos - 1] == 'e');
    auto e = skip_quoted(s, pos, '\'', esc);
    return e == std::string_view::npos ? s.size() : e;
  }
  if (c == '"') {
    auto e = skip_quoted(s, pos, '"', false);
    return e == std::string_view::npos ? s.size() : e;
  }
  if (c == '$') {
    std::size_t tl = dollar_tag_len(s, pos);
    if (tl > 0) {
      auto close = s.find(s.substr(pos, tl), pos + tl);
      return close == std::string_view::npos ? s.size() : close + tl;
    }
    ++pos;
    while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) ++pos;
    return pos;
  }
  if (is_ident_start(c)) {
    // E'..', B'..', X'..', U&'..' prefixes belong to the string.
    std::size_t i = pos;
    while (i < s.size() && is_ident_char(s[i])) ++i;
    if (i < s.size() && s[i] == '\'' && i - pos == 1) return skip_token(s, i);
    if (i + 1 < s.size() && s[i] == '&' && (s[i + 1] == '\'' || s[i + 1] == '"') && i - pos == 1) {
      return skip_token(s, i + 1);
    }
    return i;
  }
  if (std::isdigit(static_cast<unsigned char>(c))) {
    std::size_t i = pos;
    while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '.' || s[i] == '_')) ++i;
    return i;
  }
  return pos + 1;
}

std::size_t name_end(std::string_view s, std::size_t pos) {
  std::size_t end = skip_token(s, pos);
  while (end < s.size() && s[end] == '.' && end + 1 < s.size() &&
         (s[end + 1] == '"' || is_ident_start(s[end + 1]) || s[end + 1] == '*')) {
    end = skip_token(s, end + 1);
  }
  return end;
}

std::size_t trim_end(std::string_view s, std::size_t begin, std::size_t end) {
  // Walk tokens forward and remember the end of the last real token: comments may contain anything.
  std::size_t last = begin;
  std::size_t pos = begin;
  while (pos < end) {
    pos = skip_trivia(s, pos);
    if (pos >= end) break;
    pos = skip_token(s, pos);
    last = std::min(pos, end);
  }
  return last;
}

bool keyword_at(std::string_view s, std::size_t pos, std::string_view kw) {
  if (pos + kw.size() > s.size()) return false;
  for (std::size_t i = 0; i < kw.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[pos + i])) != std::tolower(static_cast<unsigned char>(kw[i]))) {
      return false;
    }
  }
  if (pos > 0 && is_ident_char(s[pos - 1])) return false;
  std::size_t e = pos + kw.size();
  return e >= s.size() || !is_ident_char(s[e]);
}

std::vector<Piece> split_statements(std::string_view s) {
  std::vector<Piece> out;
  std::size_t begin = 0;
  std::size_t pos = 0;
  int depth = 0;
  // BEGIN ATOMIC ... END: count CASE/BEGIN ... END nesting once inside such a body.
  int atomic = 0;
  std::size_t prev_word_begin = std::string_view::npos;
  std::optional<std::size_t> error;
  auto finish = [&](std::size_t end, bool terminated) {
    out.push_back(Piece{begin, end, terminated, error});
    error.reset();
    depth = 0;
    atomic = 0;
    prev_word_begin = std::string_view::npos;
  };
  while (pos < s.size()) {
    if (is_space(s[pos])) {
      ++pos;
      continue;
    }
    if (s[pos] == '/' && pos + 1 < s.size() && s[pos + 1] == '*' && !block_comment_closed(s, pos)) {
      if (!error) error = pos;
      pos = s.size();
      break;
    }
    std::size_t t = skip_trivia(s, pos);
    if (t > pos) {
      pos = t;
      continue;
    }
    char c = s[pos];
    if (c == ';' && depth == 0 && atomic == 0) {
      finish(pos, true);
      ++pos;
      begin = pos;
      continue;
    }
    if (c == '(') ++depth;
    if (c == ')' && depth > 0) --depth;
    if ((c == '\'' || c == '"') || (c == '$' && dollar_tag_len(s, pos) > 0)) {
      std::size_t e;
      if (c == '$') {
        std::size_t tl = dollar_tag_len(s, pos);
        auto close = s.find(s.substr(pos, tl), pos + tl);
        e = close == std::string_view::npos ? std::string_view::npos : close + tl;
      } else {
        bool esc = c == '\'' && pos > 0 && (s[pos - 1] == 'E' || s[pos - 1] == 'e');
        e = skip_quoted(s, pos, c, esc);
      }
      if (e == std::string_view::npos) {
        if (!error) error = pos;
        pos = s.size();
        break;
      }
      pos = e;
      prev_word_begin = std::string_view::npos;
      continue;
    }
    std::size_t next = skip_token(s, pos);
    if (is_ident_start(c)) {
      if (keyword_at(s, pos, "atomic") && prev_word_begin != std::string_view::npos &&
          keyword_at(s, prev_word_begin, "begin")) {
        ++atomic;
      } else if (atomic > 0 && keyword_at(s, pos, "case")) {
        ++atomic;
      } else if (atomic > 0 && keyword_at(s, pos, "end")) {
        --atomic;
      }
      prev_word_begin = pos;
    } else {
      prev_word_begin = std::string_view::npos;
    }
    pos = next;
  }
  if (skip_trivia(s, begin) < s.size() || error) finish(s.size(), false);
  return out;
}

std::vector<std::size_t> top_level_commas(std::string_view s, std::size_t begin, std::size_t end) {
  std::vector<std::size_t> out;
  int depth = 0;
  std::size_t pos = begin;
  while (pos < end) {
    std::size_t t = skip_trivia(s, pos);
    if (t > pos) {
      pos = t;
      continue;
    }
    char c = s[pos];
    if (c == '(' || c == '[') ++depth;
    if ((c == ')' || c == ']') && depth > 0) --depth;
    if (c == ',' && depth == 0) out.push_back(pos);
    pos = skip_token(s, pos);
  }
  return out;
}

std::optional<Body> string_body(std::string_view s, std::size_t pos) {
  if (pos >= s.size()) return std::nullopt;
  if (s[pos] == '$') {
    std::size_t tl = dollar_tag_len(s, pos);
    if (tl == 0) return std::nullopt;
    auto close = s.find(s.substr(pos, tl), pos + tl);
    if (close == std::string_view::npos) return std::nullopt;
    return Body{pos + tl, close, true};
  }
  std::size_t q = pos;
  if ((s[q] == 'E' || s[q] == 'e') && q + 1 < s.size() && s[q + 1] == '\'') ++q;
  if (s[q] == '\'') {
    auto e = skip_quoted(s, q, '\'', q != pos);
    if (e == std::string_view::npos) return std::nullopt;
    return Body{q + 1, e - 1, false};
  }
  return std::nullopt;
}

}  // namespace lex
}  // namespace driftguard
