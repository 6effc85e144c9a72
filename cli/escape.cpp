#include "cli/escape.hpp"

#include <cstdint>

namespace driftguard {

namespace {

// The code point starting at s[i] and its length in bytes; length 0 = not a valid UTF-8 sequence.
struct Decoded {
  std::uint32_t cp = 0;
  std::size_t len = 0;
};

Decoded decode(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  if (c < 0x80) return {c, 1};
  std::size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
  if (len == 0 || i + len > s.size()) return {};
  std::uint32_t cp = c & (0x7F >> len);
  for (std::size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return {};
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  // overlong forms, surrogates and values past U+10FFFF are not UTF-8
  static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return {};
  return {cp, len};
}

// Code points above ASCII that terminals or viewers act on: C1 controls (0x9B is CSI), the bidirectional embeddings,
// overrides and isolates (text that reads differently from what it is), line and paragraph separators.
bool is_special(std::uint32_t cp) {
  return (cp >= 0x80 && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
         cp == 0x2028 || cp == 0x2029 || cp == 0x200E || cp == 0x200F || cp == 0x061C;
}

const char kHex[] = "0123456789abcdef";

void append_hex(std::string& out, std::uint32_t v, int digits) {
  for (int d = digits - 1; d >= 0; --d) out += kHex[(v >> (4 * d)) & 15];
}

}  // namespace

std::string visible(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7F) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    if (c < 0x80) {
      if (c == '\t') {
        out += '\t';
      } else if (c == '\n') {
        out += "\\n";
      } else if (c == '\r') {
        out += "\\r";
      } else {
        out += "\\x";
        append_hex(out, c, 2);
      }
      ++i;
      continue;
    }
    Decoded d = decode(s, i);
    if (d.len == 0) {
      out += "\\x";
      append_hex(out, c, 2);
      ++i;
    } else if (is_special(d.cp)) {
      out += "\\u";
      append_hex(out, d.cp, 4);
      i += d.len;
    } else {
      out.append(s.substr(i, d.len));
      i += d.len;
    }
  }
  return out;
}

std::string visible_excerpt(std::string_view line) {
  std::string out;
  out.reserve(line.size());
  auto append_cp = [&](std::uint32_t cp) {  // a code point below U+10000 in UTF-8
    if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
    } else {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    }
    out += static_cast<char>(0x80 | (cp & 0x3F));
  };
  for (std::size_t i = 0; i < line.size();) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    if (c == '\t') {
      out += ' ';
      ++i;
    } else if (c < 0x20) {
      append_cp(0x2400 + c);  // ␀ .. ␟
      ++i;
    } else if (c == 0x7F) {
      append_cp(0x2421);  // ␡
      ++i;
    } else if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
    } else {
      Decoded d = decode(line, i);
      if (d.len == 0 || is_special(d.cp)) {
        append_cp(0xFFFD);
        i += d.len == 0 ? 1 : d.len;
      } else {
        out.append(line.substr(i, d.len));
        i += d.len;
      }
    }
  }
  return out;
}

}  // namespace driftguard
