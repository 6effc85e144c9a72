// --format markdown: a compact pull-request comment body. A heading with the totals, a summary table (one row per
// rule), then the errors grouped by file (one table row each: position, severity, rule, message and fix), the
// warnings and notes the same way inside a collapsed <details>, and input errors. The body stays under GitHub's
// limit for a comment (65,536 characters): what does not fit is counted in an "N more" line.
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
  std::string out = "`";  // appends: GCC 12 -O3 warns falsely (-Wrestrict) on `"`" + std::string&&`
  out += cell(t, false);
  out += '`';
  return out;
}

}  // namespace

std::string markdown_cell(std::string_view s) { return cell(s); }

namespace {

// GitHub refuses a comment body of 65,536 characters or more; bytes count at least as many. The rows stop at the
// budget; the closing lines (</details>, "N more") fit in the rest.
constexpr std::size_t kCommentLimit = 65536;
constexpr std::size_t kRowBudget = kCommentLimit - 1024;

// Concatenation by appends (GCC 12 at -O3 reports a false -Wrestrict inside `"literal" + std::string&&`).
template <typename... Parts>
std::string cat(const Parts&... parts) {
  std::string s;
  (s += ... += parts);
  return s;
}

std::string row(const Finding& f) {
  // The short first line, then its notes (the detail), then the fix.
  std::string notes;
  for (const auto& n : f.notes) notes += cat("<br>", cell(n.message));
  return cat("| ", std::to_string(f.start.line), ":", std::to_string(f.start.column), " | ", to_string(f.severity),
             " | `", f.rule, "` | ", cell(f.message), notes, "<br>**Fix:** ", cell(f.help), " |\n");
}

// The findings of `part` grouped by file (findings are sorted by file), appended while they fit; returns how many
// were left out.
std::size_t file_tables(std::string& body, const std::vector<const Finding*>& part) {
  std::string file;
  bool first = true;
  for (std::size_t k = 0; k < part.size(); ++k) {
    const Finding& f = *part[k];
    std::string add;
    if (first || f.file != file) {
      add = cat("\n#### ", code(f.file), "\n\n| line | severity | rule | finding |\n|---:|---|---|---|\n");
    }
    add += row(f);
    if (body.size() + add.size() > kRowBudget) return part.size() - k;
    body += add;
    file = f.file;
    first = false;
  }
  return 0;
}

std::string plural(std::size_t n, const char* one, const char* many) {
  return cat(std::to_string(n), " ", n == 1 ? one : many);
}

}  // namespace

void report_markdown(std::ostream& out, const RunResult& r) {
  std::string body = cat("### driftguard: ", summary_line(r));
  if (!r.errors.empty()) body += cat(", ", plural(r.errors.size(), "input error", "input errors"));
  body += "\n";
  std::size_t left_out = 0;
  if (!r.findings.empty()) {
    std::map<std::tuple<int, std::string>, int> counts;  // (-severity, rule) -> findings
    for (const auto& f : r.findings) ++counts[{-static_cast<int>(f.severity), f.rule}];
    body += "\n| rule | severity | findings |\n|---|---|---:|\n";
    for (const auto& [key, n] : counts) {
      const auto& rule = std::get<1>(key);
      body += cat("| [`", rule, "`](", docs_url(rule, r.docs_base), ") | ",
                  to_string(static_cast<Severity>(-std::get<0>(key))), " | ", std::to_string(n), " |\n");
    }
    // Errors first, in the open; the rest collapsed.
    std::vector<const Finding*> errors;
    std::vector<const Finding*> rest;
    for (const auto& f : r.findings) (f.severity >= Severity::error ? errors : rest).push_back(&f);
    left_out = file_tables(body, errors);
    if (left_out > 0) {
      left_out += rest.size();
    } else if (!rest.empty()) {
      std::size_t warnings = 0;
      for (const auto* f : rest) warnings += f->severity == Severity::warning;
      std::size_t infos = rest.size() - warnings;
      std::string summary = warnings > 0 ? plural(warnings, "warning", "warnings") : "";
      if (infos > 0) summary += cat(summary.empty() ? "" : ", ", plural(infos, "info", "info"));
      body += cat("\n<details>\n<summary>", summary, "</summary>\n");
      left_out = file_tables(body, rest);
      body += "\n</details>\n";
    }
  }
  if (!r.errors.empty()) {
    body += "\n#### Input errors\n\n";
    std::size_t shown = 0;
    for (const auto& e : r.errors) {
      std::string add = cat("- ", code(e.path), ": ", cell(e.message, false), "\n");
      if (body.size() + add.size() > kRowBudget) break;
      body += add;
      ++shown;
    }
    if (shown < r.errors.size()) body += cat("- ", plural(r.errors.size() - shown, "more input error", "more input errors"), "\n");
  }
  if (left_out > 0) {
    body += cat("\n**", plural(left_out, "more finding", "more findings"),
                "** not shown: a comment holds at most 65,536 characters. Run `driftguard lint` (or see the SARIF or JSON "
            "output) for all of them.\n");
  }
  out << body;
}

}  // namespace driftguard
