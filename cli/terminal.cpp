#include "cli/terminal.hpp"

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

}  // namespace driftguard
