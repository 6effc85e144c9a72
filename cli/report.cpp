#include "cli/report.hpp"
#include "cli/text_hash.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <memory>

#include "analyzer/text.hpp"
#include "cli/escape.hpp"
#include "cli/json_stream.hpp"
#include "cli/report_stream.hpp"
#include "cli/terminal.hpp"

namespace driftguard {

std::string doc_path(const std::string& rule) { return "docs/rules/" + rule + ".md"; }
std::string docs_url(const std::string& rule, const std::string& base) {
  std::string url = base.empty() ? std::string(kDocsBase) : base;
  while (!url.empty() && url.back() == '/') url.pop_back();
  url += '/';
  url += doc_path(rule);
  return url;
}

const std::vector<std::string>& report_formats() {
  static const std::vector<std::string> f = {"text", "json", "gcc", "sarif", "github", "junit", "gitlab", "markdown"};
  return f;
}

void report(std::ostream& out, const std::string& format, const RunResult& r, bool color, std::size_t width) {
  if (format == "json") return report_json(out, r);
  if (format == "gcc") return report_gcc(out, r);
  if (format == "sarif") return report_sarif(out, r);
  if (format == "github") return report_github(out, r);
  if (format == "junit") return report_junit(out, r);
  if (format == "gitlab") return report_gitlab(out, r);
  if (format == "markdown") return report_markdown(out, r);
  report_text(out, r, color, width);
}

std::vector<std::string> fingerprints(const RunResult& r) {
  std::vector<std::string> out;
  std::map<std::string, int> seen;
  for (const auto& f : r.findings) {
    std::string snippet;
    auto t = r.texts.find(f.file);
    if (t != r.texts.end()) {
      auto b = r.boms.count(f.file) ? r.boms.at(f.file) : 0;
      std::size_t begin = std::min(f.span.begin >= b ? f.span.begin - b : 0, t->second.size());
      std::size_t end = std::clamp(f.span.end >= b ? f.span.end - b : 0, begin, t->second.size());
      snippet = collapse_whitespace(std::string_view(t->second).substr(begin, end - begin));
    }
    std::string key = f.rule + '\0' + f.file + '\0' + snippet;
    key += '\0' + std::to_string(seen[key]++);
    out.push_back(fnv1a_hex(key));
  }
  return out;
}

namespace {

std::string plural(int n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

const char* color_of(Severity s) {
  switch (s) {
    case Severity::error:
      return "\x1b[1;31m";
    case Severity::warning:
      return "\x1b[1;33m";
    default:
      return "\x1b[1;36m";
  }
}

// One character per character (tabs as spaces, control characters as their pictures) so that underlines line up
// (columns count characters) and the file cannot drive the terminal.
std::string printable(std::string_view line) { return visible_excerpt(line); }

}  // namespace

namespace {
// fix_diff with the text's line map, which the text report builds once per file: building it per finding made
// the report quadratic in a file's size (a 1 MB file with 33,000 fixes: 72 % of lint's time went to line maps).
std::vector<std::string> fix_diff_lines(const std::string& text, const LineMap& map, const Fix& fix, std::size_t bom) {
  std::vector<std::string> out;
  if (fix.edits.empty()) return out;
  std::size_t lo = text.size();
  std::size_t hi = 0;
  for (const auto& e : fix.edits) {
    lo = std::min(lo, e.span.begin - std::min(bom, e.span.begin));
    hi = std::max(hi, e.span.end - std::min(bom, e.span.end));
  }
  int first = map.position(lo).line;
  int last = map.position(hi).line;
  std::size_t from = map.line_start(first);
  std::size_t to = map.line_start(last) + map.line_text(last).size();
  std::string before = text.substr(from, to - from);
  std::string after;
  std::size_t pos = from;
  std::vector<Edit> edits = fix.edits;
  std::sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) { return a.span.begin < b.span.begin; });
  for (const auto& e : edits) {
    std::size_t b = e.span.begin - std::min(bom, e.span.begin);
    std::size_t en = e.span.end - std::min(bom, e.span.end);
    after.append(text, pos, b - pos);
    after += e.replacement;
    pos = en;
  }
  after.append(text, pos, to - pos);
  auto split = [](const std::string& s) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= s.size(); ++i) {
      if (i == s.size() || s[i] == '\n') {
        std::string l = s.substr(start, i - start);
        if (!l.empty() && l.back() == '\r') l.pop_back();
        lines.push_back(l);
        start = i + 1;
      }
    }
    return lines;
  };
  for (const auto& l : split(before)) out.push_back("- " + printable(l));
  for (const auto& l : split(after)) out.push_back("+ " + printable(l));
  return out;
}
}  // namespace

std::vector<std::string> fix_diff(const std::string& text, const Fix& fix, std::size_t bom) {
  return fix_diff_lines(text, LineMap(text), fix, bom);
}

std::array<std::size_t, 4> tally(const RunResult& r) {
  std::array<std::size_t, 4> n = r.written;
  for (const auto& f : r.findings) ++n[static_cast<std::size_t>(f.severity)];
  return n;
}

std::string summary_line(const RunResult& r) {
  const auto n = tally(r);
  const int e = static_cast<int>(n[static_cast<std::size_t>(Severity::error)]);
  const int w = static_cast<int>(n[static_cast<std::size_t>(Severity::warning)]);
  const int i = static_cast<int>(n[static_cast<std::size_t>(Severity::info)]);
  std::string s = plural(e, "error") + ", " + plural(w, "warning");
  if (i > 0) s += ", " + plural(i, "info");
  s += " in " + plural(r.files, "file");
  return s;
}

namespace {

// A note's or help's text on a terminal `width` columns wide: wrapped at spaces, each further line indented by
// `indent` so that it starts under the text (as compilers print notes), the first line after its `indent`-column
// label. Width 0 (not a terminal): one line, as tools reading the output expect. A word longer than a line stays whole.
std::string wrap_words(const std::string& text, std::size_t indent, std::size_t width) {
  if (width == 0 || width <= indent + 20) return text;
  std::string out;
  std::size_t column = indent;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t end = text.find(' ', at);
    if (end == std::string::npos) end = text.size();
    std::string_view word(text.data() + at, end - at);
    std::size_t chars = count_chars(word);
    if (column > indent && column + 1 + chars > width) {
      out += '\n';
      out.append(indent, ' ');
      column = indent;
    } else if (column > indent) {
      out += ' ';
      ++column;
    }
    out.append(word);
    column += chars;
    at = end + 1;
  }
  return out;
}

}  // namespace

void text_findings(std::ostream& out, const RunResult& r, bool color, std::size_t width) {
  const char* bold = color ? "\x1b[1m" : "";
  const char* dim = color ? "\x1b[2m" : "";
  const char* blue = color ? "\x1b[1;34m" : "";
  const char* reset = color ? "\x1b[0m" : "";
  std::string current_file;
  std::unique_ptr<LineMap> map;
  for (const auto& f : r.findings) {
    const char* sev = color ? color_of(f.severity) : "";
    out << bold << visible(f.file) << ":" << f.start.line << ":" << f.start.column << reset << ": " << sev
        << to_string(f.severity) << "[" << f.rule << "]" << reset << ": " << bold << visible(f.message) << reset
        << "\n";
    auto it = r.texts.find(f.file);
    if (it != r.texts.end()) {
      if (current_file != f.file) {
        current_file = f.file;
        map = std::make_unique<LineMap>(it->second);
      }
      // Only the first line of a multi-line span is shown; the rest is counted.
      int last = f.start.line;
      // A span that ends at column 1 of a line does not cover that line.
      if (f.end.line > f.start.line && f.end.column == 1) last = std::min(last, f.end.line - 1);
      std::size_t gutter = std::to_string(last).size();
      out << std::string(gutter + 1, ' ') << blue << "|" << reset << "\n";
      for (int line = f.start.line; line <= last; ++line) {
        std::string text = printable(map->line_text(line));
        std::size_t chars = count_chars(text);
        std::size_t from = line == f.start.line ? static_cast<std::size_t>(f.start.column - 1) : 0;
        std::size_t to = line == f.end.line ? static_cast<std::size_t>(f.end.column - 1) : chars;
        // Leading indentation of continuation lines is not underlined.
        if (line != f.start.line) {
          while (from < text.size() && text[from] == ' ') ++from;
        }
        if (to <= from) to = from + 1;
        // on a terminal, a long line shows the part around the underline (the gutter "NN | " takes gutter + 3)
        ExcerptLine shown = elide_excerpt(text, from, to, width == 0 ? 0 : width > gutter + 3 ? width - gutter - 3 : 1);
        std::string num = std::to_string(line);
        out << blue << std::string(gutter - num.size(), ' ') << num << " |" << reset << " " << shown.text << "\n";
        out << std::string(gutter + 1, ' ') << blue << "|" << reset << " " << std::string(shown.from, ' ') << sev
            << std::string(shown.to - shown.from, '^') << reset << "\n";
      }
      if (last < f.end.line && !(f.end.line == last + 1 && f.end.column == 1)) {
        out << std::string(gutter + 1, ' ') << blue << "|" << reset << " " << dim << "... "
            << plural(f.end.line - last, "more line") << reset << "\n";
      }
    }
    // The notes (the detail the short first line leaves out: why, the lock, the transaction), then what to do.
    for (const auto& n : f.notes) {
      std::string text = visible(n.message);
      if (n.span) text += " (" + std::to_string(n.start.line) + ":" + std::to_string(n.start.column) + ")";
      out << "  " << blue << "= note:" << reset << " " << wrap_words(text, 10, width) << "\n";
    }
    out << "  " << blue << "= help:" << reset << " " << wrap_words(visible(f.help), 10, width) << "\n";
    if (f.fix && it != r.texts.end()) {
      out << "  " << blue << "= fix:" << reset << " " << visible(f.fix->title) << "\n";
      auto bom = r.boms.count(f.file) ? r.boms.at(f.file) : 0;
      for (const auto& line : fix_diff_lines(it->second, *map, *f.fix, bom)) {
        const char* c = !color ? "" : line[0] == '-' ? "\x1b[31m" : "\x1b[32m";
        out << "    " << c << line << reset << "\n";
      }
    }
    out << "  " << blue << "= docs:" << reset << " driftguard explain " << f.rule << " (" << doc_path(f.rule) << ")\n\n";
  }
}

void text_summary(std::ostream& out, const RunResult& r, bool color) {
  out << (color ? "\x1b[1m" : "") << summary_line(r) << (color ? "\x1b[0m" : "");
  if (!r.errors.empty()) out << "; " << plural(static_cast<int>(r.errors.size()), "input error");
  out << "\n";
}

void report_text(std::ostream& out, const RunResult& r, bool color, std::size_t width) {
  text_findings(out, r, color, width);
  text_summary(out, r, color);
}

nlohmann::ordered_json json_document(const RunResult& r) {
  using oj = nlohmann::ordered_json;
  const auto n = tally(r);
  oj doc;
  doc["version"] = 1;
  doc["findings"] = streamed_array();
  oj summary;
  summary["files"] = r.files;
  summary["findings"] = n[0] + n[1] + n[2] + n[3];
  summary["errors"] = n[static_cast<std::size_t>(Severity::error)];
  summary["warnings"] = n[static_cast<std::size_t>(Severity::warning)];
  summary["infos"] = n[static_cast<std::size_t>(Severity::info)];
  summary["input_errors"] = r.errors.size();
  doc["summary"] = summary;
  oj errors = oj::array();
  for (const auto& er : r.errors) errors.push_back(oj{{"file", er.path}, {"message", er.message}});
  doc["input_errors"] = errors;
  return doc;
}

nlohmann::ordered_json json_finding(const Finding& f) {
  using oj = nlohmann::ordered_json;
  oj j;
  j["file"] = f.file;
  j["line"] = f.start.line;
  j["column"] = f.start.column;
  j["end_line"] = f.end.line;
  j["end_column"] = f.end.column;
  j["offset"] = f.span.begin;
  j["end_offset"] = f.span.end;
  j["rule"] = f.rule;
  j["category"] = f.category;
  j["severity"] = std::string(to_string(f.severity));
  j["message"] = f.message;
  j["help"] = f.help;
  j["doc"] = doc_path(f.rule);
  if (f.fix) {
    oj edits = oj::array();
    for (const auto& ed : f.fix->edits) {
      edits.push_back(oj{{"offset", ed.span.begin}, {"end_offset", ed.span.end}, {"replacement", ed.replacement}});
    }
    j["fix"] = oj{{"title", f.fix->title}, {"edits", edits}};
  }
  if (!f.notes.empty()) {
    oj notes = oj::array();
    for (const auto& n : f.notes) {
      oj nj;
      nj["message"] = n.message;
      if (n.span) {
        nj["line"] = n.start.line;
        nj["column"] = n.start.column;
      }
      notes.push_back(nj);
    }
    j["notes"] = notes;
  }
  return j;
}

void report_json(std::ostream& out, const RunResult& r) {
  dump_streaming(out, json_document(r), [&](auto emit) {
    for (const auto& f : r.findings) emit(json_finding(f));
  });
}

void report_gcc(std::ostream& out, const RunResult& r) {
  for (const auto& f : r.findings) {
    out << visible(f.file) << ":" << f.start.line << ":" << f.start.column << ": " << to_string(f.severity) << ": "
        << visible(f.message) << " [" << f.rule << "]\n";
  }
}

}  // namespace driftguard
