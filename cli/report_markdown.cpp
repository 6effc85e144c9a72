// --format markdown: a compact pull-request comment body. A heading with the totals, a summary table (one row per
// rule), then the findings grouped by file (one table row each: position, severity, rule, message and fix).
#include <algorithm>
#include <map>
#include <tuple>

#include "cli/escape.hpp"
#include "cli/report.hpp"

namespace driftguard {

namespace {

// Text for a table cell (or, with in_table false, any other line): no HTML, no column breaks, no line breaks, no
// control characters (visible escapes).
std::string cell(std::string_view raw, bool in_table = true) {
  std::string s = visible(raw);
  std::string out;
  for (char c : s) {
    if (c == '|' && in_table) {
      out += "\\|";
    } else if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else if (c == '&') {
      out += "&amp;";
    } else if (c == '\n' || c == '\r') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

// A file name inside a code span (backticks in it would end the span), outside tables.
std::string code(std::string_view s) {
  std::string t(s);
  std::replace(t.begin(), t.end(), '`', '\'');
  return "`" + cell(t, false) + "`";
}

}  // namespace

std::string markdown_cell(std::string_view s) { return cell(s); }

void report_markdown(std::ostream& out, const RunResult& r) {
  out << "### driftguard: " << summary_line(r);
  if (!r.errors.empty()) out << ", " << r.errors.size() << " input error" << (r.errors.size() == 1 ? "" : "s");
  out << "\n";
  if (!r.findings.empty()) {
    std::map<std::tuple<int, std::string>, int> counts;  // (-severity, rule) -> findings
    for (const auto& f : r.findings) ++counts[{-static_cast<int>(f.severity), f.rule}];
    out << "\n| rule | severity | findings |\n|---|---|---:|\n";
    for (const auto& [key, n] : counts) {
      const auto& rule = std::get<1>(key);
      out << "| [`" << rule << "`](" << docs_url(rule) << ") | " << to_string(static_cast<Severity>(-std::get<0>(key)))
          << " | " << n << " |\n";
    }
    std::string file;
    for (const auto& f : r.findings) {
      if (f.file != file) {
        file = f.file;
        out << "\n#### " << code(file) << "\n\n| line | severity | rule | finding |\n|---:|---|---|---|\n";
      }
      out << "| " << f.start.line << ":" << f.start.column << " | " << to_string(f.severity) << " | `" << f.rule
          << "` | " << cell(f.message) << "<br>**Fix:** " << cell(f.help) << " |\n";
    }
  }
  if (!r.errors.empty()) {
    out << "\n#### Input errors\n\n";
    for (const auto& e : r.errors) out << "- " << code(e.path) << ": " << cell(e.message, false) << "\n";
  }
}

}  // namespace driftguard
