// Text utilities: byte offset -> line/column, UTF-8 checks, and a small SQL lexer used for statement splitting,
// span trimming and locating sub-clauses that libpg_query gives no location for.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace driftguard {

struct Position {
  int line = 1;    // 1-based
  int column = 1;  // 1-based, counted in characters (UTF-8 code points)
};

// Maps byte offsets of one text to line/column. Recognizes LF, CRLF and lone CR line endings.
class LineMap {
 public:
  explicit LineMap(std::string_view text);
  Position position(std::size_t offset) const;
  std::size_t line_count() const { return starts_.size(); }
  // The line's text without its line ending; line is 1-based.
  std::string_view line_text(int line) const;
  std::size_t line_start(int line) const { return starts_.at(static_cast<std::size_t>(line - 1)); }

 private:
  std::string_view text_;
  std::vector<std::size_t> starts_;
};

// Number of UTF-8 code points in s (invalid bytes count one each).
std::size_t count_chars(std::string_view s);
// Byte offset of the first invalid UTF-8 sequence, if any.
std::optional<std::size_t> find_invalid_utf8(std::string_view s);
// Replaces every byte of an invalid UTF-8 sequence with '?' (offsets stay the same). Returns how many.
std::size_t sanitize_utf8(std::string& s);
// Byte offset of the first NUL byte, if any.
std::optional<std::size_t> find_nul(std::string_view s);
// Byte offset of the character with 1-based index `chars` (a libpg_query cursorpos) inside s.
std::size_t char_index_to_offset(std::string_view s, int chars);

namespace lex {

// Skips whitespace and comments (-- line and nested /* */) from pos; returns the new position.
std::size_t skip_trivia(std::string_view s, std::size_t pos);
// Skips one token starting at pos (which must not be trivia): a quoted string, quoted identifier, dollar-quoted
// string, word, number, or a single punctuation character. Returns the position after it.
std::size_t skip_token(std::string_view s, std::size_t pos);
// End of the (possibly schema-qualified, possibly quoted) name or token at pos.
std::size_t name_end(std::string_view s, std::size_t pos);
// Trims trailing whitespace and comments from [begin, end).
std::size_t trim_end(std::string_view s, std::size_t begin, std::size_t end);

struct Piece {
  std::size_t begin;  // first byte (may be whitespace/comments)
  std::size_t end;    // one past the last byte before the terminating ';' (or the end of input)
  bool terminated;    // ended by ';'
  std::optional<std::size_t> error;  // offset of an unterminated string/comment/quote
};
// Splits SQL text into statements at top-level semicolons. Understands quotes, dollar quotes, comments,
// parentheses (CREATE RULE ... (a; b)) and BEGIN ATOMIC ... END bodies.
std::vector<Piece> split_statements(std::string_view s);

// Offsets of top-level (depth 0) commas in [begin, end).
std::vector<std::size_t> top_level_commas(std::string_view s, std::size_t begin, std::size_t end);

// If a dollar-quoted or single-quoted string starts at pos, the [begin, end) of its body.
struct Body {
  std::size_t begin;
  std::size_t end;
  bool dollar;
};
std::optional<Body> string_body(std::string_view s, std::size_t pos);

// Case-insensitive word compare of an ASCII keyword against s at pos (word boundary checked).
bool keyword_at(std::string_view s, std::size_t pos, std::string_view kw);

}  // namespace lex
}  // namespace driftguard
