// Stable keys of source text for the fingerprints of CI formats (GitLab, SARIF): whitespace collapsed, then hashed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace driftguard {

// Runs of spaces, tabs and line breaks as one space, none at either end: re-indenting keeps the key.
inline std::string collapse_whitespace(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
    } else {
      if (space) out += ' ';
      space = false;
      out += c;
    }
  }
  return out;
}

// FNV-1a (64 bits) as 16 lowercase hex digits.
inline std::string fnv1a_hex(std::string_view s) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  static const char* hex = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, h >>= 4) out[static_cast<std::size_t>(i)] = hex[h & 15];
  return out;
}

}  // namespace driftguard
