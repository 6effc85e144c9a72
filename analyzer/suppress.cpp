#include "analyzer/suppress.hpp"

#include <cctype>

namespace driftguard {
namespace {
constexpr std::string_view kMarker = "driftguard-ignore";

bool id_char(char c) { return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '-'; }
}  // namespace

bool may_contain_directives(std::string_view text) { return text.find(kMarker) != std::string_view::npos; }

std::vector<Directive> parse_directives(std::string_view text, const std::vector<pg::Comment>& comments) {
  std::vector<Directive> out;
  for (const auto& c : comments) {
    std::string_view body = text.substr(c.begin, c.end - c.begin);
    std::size_t content_end = body.size();
    std::size_t p = 0;
    if (body.substr(0, 2) == "--") {
      p = 2;
    } else if (body.substr(0, 2) == "/*") {
      p = 2;
      if (content_end >= 4 && body.substr(content_end - 2) == "*/") content_end -= 2;
    }
    while (p < content_end && (body[p] == ' ' || body[p] == '\t')) ++p;
    if (body.substr(p, kMarker.size()) != kMarker) continue;
    p += kMarker.size();
    Directive d;
    d.comment = Span{c.begin, c.end};
    if (body.substr(p, 5) == "-file") {
      d.scope = Directive::Scope::file;
      p += 5;
    }
    if (p < content_end && id_char(body[p])) continue;  // "driftguard-ignored" or another word: not ours
    // Rule ids, comma separated; whatever follows is the reason.
    while (true) {
      while (p < content_end && (body[p] == ' ' || body[p] == '\t')) ++p;
      std::size_t s = p;
      while (p < content_end && id_char(body[p])) ++p;
      if (p == s) break;
      d.rules.emplace_back(body.substr(s, p - s));
      d.rule_spans.push_back(Span{c.begin + s, c.begin + p});
      std::size_t q = p;
      while (q < content_end && (body[q] == ' ' || body[q] == '\t')) ++q;
      if (q < content_end && body[q] == ',') {
        p = q + 1;
        continue;
      }
      p = q;
      break;
    }
    std::string_view reason = body.substr(p, content_end - p);
    while (!reason.empty() && (reason.front() == ' ' || reason.front() == ':' || reason.front() == '-')) reason.remove_prefix(1);
    while (!reason.empty() && std::isspace(static_cast<unsigned char>(reason.back()))) reason.remove_suffix(1);
    d.reason = std::string(reason);
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace driftguard
