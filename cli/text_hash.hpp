// Stable keys of source text for the fingerprints of CI formats (GitLab, SARIF): whitespace collapsed
// (analyzer/text_util.hpp), then hashed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "analyzer/text_util.hpp"  // collapse_whitespace

namespace driftguard {

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
