// Small string helpers shared by the analyzer, the drift differ, the reporters and the tests.
#pragma once

#include <cctype>
#include <string>
#include <string_view>

namespace driftguard {

// Runs of whitespace (spaces, tabs, line breaks, form feeds) as one space, none at either end: the same text
// re-indented or re-wrapped gives the same result (fingerprints, comparing bodies and statements as text).
inline std::string collapse_whitespace(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
    } else {
      if (space) out += ' ';
      space = false;
      out += c;
    }
  }
  return out;
}

}  // namespace driftguard
