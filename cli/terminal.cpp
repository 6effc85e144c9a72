#include "cli/terminal.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <vector>

namespace driftguard {

namespace {

constexpr std::string_view kBold = "\x1b[1m";
constexpr std::string_view kTitle = "\x1b[1;4m";
constexpr std::string_view kCode = "\x1b[36m";
constexpr std::string_view kReset = "\x1b[0m";

// **bold**, `code`, [text](url) inside one line.
std::string inline_styles(std::string_view line) {
  std::string out;
  std::size_t i = 0;
  while (i < line.size()) {
    if (line[i] == '`') {
      std::size_t end = line.find('`', i + 1);
      if (end != std::string_view::npos) {
        out.append(kCode).append(line.substr(i + 1, end - i - 1)).append(kReset);
        i = end + 1;
        continue;
      }
    } else if (line.compare(i, 2, "**") == 0) {
      std::size_t end = line.find("**", i + 2);
      if (end != std::string_view::npos) {
        out.append(kBold).append(inline_styles(line.substr(i + 2, end - i - 2))).append(kReset);
        i = end + 2;
        continue;
      }
    } else if (line[i] == '[') {
      std::size_t close = line.find("](", i + 1);
      std::size_t end = close == std::string_view::npos ? close : line.find(')', close + 2);
      if (end != std::string_view::npos && line.substr(i + 1, close - i - 1).find('[') == std::string_view::npos) {
        std::string_view url = line.substr(close + 2, end - close - 2);
        out += inline_styles(line.substr(i + 1, close - i - 1));
        if (url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0) out.append(" (").append(url).append(")");
        i = end + 1;
        continue;
      }
    }
    out += line[i++];
  }
  return out;
}

}  // namespace

std::string render_markdown(std::string_view markdown, bool color) {
  if (!color) return std::string(markdown);
  std::string out;
  bool in_code = false;
  while (!markdown.empty()) {
    std::size_t nl = markdown.find('\n');
    std::string_view line = markdown.substr(0, nl);
    markdown.remove_prefix(nl == std::string_view::npos ? markdown.size() : nl + 1);
    if (line.rfind("```", 0) == 0) {  // a fence: the block's lines are indented instead
      in_code = !in_code;
      continue;
    }
    if (in_code) {
      out.append("    ").append(kCode).append(line).append(kReset);
    } else if (line.rfind("# ", 0) == 0) {
      out.append(kTitle).append(line.substr(2)).append(kReset);
    } else if (line.rfind("#", 0) == 0) {
      std::size_t text = line.find_first_not_of('#');
      text = text == std::string_view::npos ? line.size() : line.find_first_not_of(' ', text);
      out.append(kBold).append(text == std::string_view::npos ? "" : line.substr(text)).append(kReset);
    } else {
      out += inline_styles(line);
    }
    out += '\n';
  }
  return out;
}

std::size_t output_width() {
  if (isatty(STDOUT_FILENO) == 0) return 0;
  if (const char* columns = std::getenv("COLUMNS")) {
    char* end = nullptr;
    long n = std::strtol(columns, &end, 10);
    if (end != columns && *end == '\0' && n > 0) return static_cast<std::size_t>(n);
  }
  winsize ws{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0) return ws.ws_col;
  return 0;
}

namespace {

// The index just past the escape sequence (ESC [ parameters final-byte) that starts at `i`.
std::size_t escape_end(std::string_view s, std::size_t i) {
  std::size_t end = i + 1;
  if (end < s.size() && s[end] == '[') ++end;
  while (end < s.size() && !(s[end] >= '@' && s[end] <= '~')) ++end;
  return std::min(end + 1, s.size());
}

bool starts_char(char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }

// One line (no newline) cut to `width` columns.
void fit_line(std::string_view line, std::size_t width, std::string& out) {
  std::size_t columns = 0;
  for (std::size_t i = 0; i < line.size(); i = line[i] == '\x1b' ? escape_end(line, i) : i + 1) {
    if (line[i] != '\x1b' && starts_char(line[i])) ++columns;
  }
  if (columns <= width) {
    out.append(line);
    return;
  }
  // Keep width - 1 columns and the escape sequences among them, then the ellipsis.
  std::size_t kept = 0;
  bool styled = false;
  for (std::size_t i = 0; i < line.size();) {
    if (line[i] == '\x1b') {
      std::size_t end = escape_end(line, i);
      std::string_view seq = line.substr(i, end - i);
      styled = seq != "\x1b[0m" && seq != "\x1b[m";
      out.append(seq);
      i = end;
      continue;
    }
    if (starts_char(line[i]) && kept++ == width - 1) break;
    out += line[i++];
  }
  out.append("\xe2\x80\xa6");
  if (styled) out.append("\x1b[0m");
}

}  // namespace

std::string fit_width(std::string_view text, std::size_t width) {
  if (width == 0) return std::string(text);
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    fit_line(text.substr(0, nl), width, out);
    if (nl == std::string_view::npos) break;
    out += '\n';
    text.remove_prefix(nl + 1);
  }
  return out;
}

ExcerptLine elide_excerpt(std::string_view line, std::size_t from, std::size_t to, std::size_t width) {
  std::vector<std::size_t> at;  // the byte offset of each code point
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (starts_char(line[i])) at.push_back(i);
  }
  const std::size_t n = at.size();
  if (width == 0 || n <= width) return {std::string(line), from, to};
  width = std::max<std::size_t>(width, 3);  // "…x…"
  // From the line's start while the underline ends before the trailing "…"; else from a quarter of the width
  // before the underline, so that what it points at has some context on its left.
  std::size_t start = 0;
  if (to >= width) start = from > width / 4 ? from - width / 4 : 0;
  bool lead = start > 0;
  std::size_t end = 0;
  bool trail = true;
  if (lead && n - start + 1 <= width) {
    // the rest of the line fits: show its end, and as much before it as fits
    start = n - (width - 1);
    end = n;
    trail = false;
  } else {
    end = start + width - (lead ? 2 : 1);
  }
  ExcerptLine out;
  if (lead) out.text = "\xe2\x80\xa6";
  out.text.append(line.substr(at[start], (end < n ? at[end] : line.size()) - at[start]));
  if (trail) out.text.append("\xe2\x80\xa6");
  const std::size_t shift = lead ? 1 : 0;
  out.from = from - std::min(from, start) + shift;
  out.to = std::min(to, end) - std::min(std::min(to, end), start) + shift;
  if (out.to <= out.from) out.to = out.from + 1;
  return out;
}

}  // namespace driftguard
