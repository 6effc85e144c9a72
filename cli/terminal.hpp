// Text for a terminal: Markdown (a rule's documentation page, `driftguard explain`) rendered with ANSI styles.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace driftguard {

// Headings bold (the title also underlined, without its `#`), **bold**, `code` and fenced code blocks in cyan
// (blocks indented by 4 spaces, fences dropped), [links](url) as their text (the URL kept in parentheses when it is
// a web address). Tables, lists and plain text are kept as written. With `color` false the text is returned as is.
std::string render_markdown(std::string_view markdown, bool color);

// The width of the terminal stdout writes to: COLUMNS when it is a positive number, else the terminal's own
// (TIOCGWINSZ). 0 when stdout is not a terminal: piped or redirected output is never cut.
std::size_t output_width();

// Each line of `text` cut to `width` columns, ending in "…" where it was cut, as compilers elide long source lines.
// A column is a code point (wide East Asian characters count one); ANSI escape sequences take none, and a line cut
// while a style is on ends with a reset. Width 0: the text as is.
std::string fit_width(std::string_view text, std::size_t width);

// A source line of an excerpt shown in `width` columns, as compilers show long lines: the part around the
// underlined columns [from, to) (0-based code points), with "…" where text was left out at either end; `from` and
// `to` are those of the part shown (the underline cut where the part ends). Width 0, or a line that fits: as is.
struct ExcerptLine {
  std::string text;
  std::size_t from = 0;
  std::size_t to = 0;
};
ExcerptLine elide_excerpt(std::string_view line, std::size_t from, std::size_t to, std::size_t width);

}  // namespace driftguard
