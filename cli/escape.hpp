// Text from untrusted places (names read from a database or a migration file, file names, values) on its way to a
// terminal or a line-based format (text, gcc, github, markdown, junit, drift/status text). A name holding `\x1b[2J`
// would clear the auditor's screen, `\x1b]0;...\a` set the terminal's title, and a newline would forge a line of gcc or
// github output. Every reporter of a text format passes its fields through one of these; JSON and SARIF need nothing
// more (their writers escape control characters).
#pragma once

#include <string>
#include <string_view>

namespace driftguard {

// One line of text: control characters as visible escapes (`\n`, `\r`, `\x1b`, `\x07`, `\x7f`), the C1 controls,
// bidirectional overrides and line/paragraph separators as `\u009b`, `\u202e`, `\u2028`, bytes that are not UTF-8 as
// `\xff`. Tab and printable text are unchanged (a backslash too: the escapes are for reading, not for parsing).
std::string visible(std::string_view s);

// A source line for an excerpt under which columns are underlined: one character per character, so that the underline
// still lines up. Tab becomes a space, C0 controls and DEL their Unicode control pictures (ESC -> ␛, U+241B), C1
// controls, bidirectional overrides, separators and bytes that are not UTF-8 U+FFFD.
std::string visible_excerpt(std::string_view line);

}  // namespace driftguard
