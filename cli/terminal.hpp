// Text for a terminal: Markdown (a rule's documentation page, `driftguard explain`) rendered with ANSI styles.
#pragma once

#include <string>
#include <string_view>

namespace driftguard {

// Headings bold (the title also underlined, without its `#`), **bold**, `code` and fenced code blocks in cyan
// (blocks indented by 4 spaces, fences dropped), [links](url) as their text (the URL kept in parentheses when it is
// a web address). Tables, lists and plain text are kept as written. With `color` false the text is returned as is.
std::string render_markdown(std::string_view markdown, bool color);

}  // namespace driftguard
