#include "cli/report_records.hpp"

#include <nlohmann/json.hpp>

#include <map>

#include "cli/report.hpp"

namespace driftguard {

namespace {

using oj = nlohmann::ordered_json;

const char* github_command(Severity s) {
  return s == Severity::error ? "error" : s == Severity::warning ? "warning" : "notice";
}

const char* sarif_level(Severity s) {
  return s == Severity::error ? "error" : s == Severity::warning ? "warning" : "note";
}

std::string docs_url_of(const RecordReport& r) { return std::string(kProjectUrl) + "/blob/main/" + r.docs; }

// "file:line:col", "file", or the source without a file.
std::string place(const Record& x) {
  if (x.file.empty()) return x.where;
  std::string s = x.file;
  // appends: GCC 12 -O3 warns falsely (-Wrestrict) on `":" + std::string&&`
  if (x.line > 0) s.append(":").append(std::to_string(x.line));
  if (x.line > 0 && x.column > 0) s.append(":").append(std::to_string(x.column));
  return s;
}

std::string text(const Record& x) {
  std::string t = x.message;
  if (x.file.empty() && !x.where.empty()) t += " (" + x.where + ")";
  if (!x.help.empty()) t += "\n" + x.help;
  return t;
}

// GitHub annotations: on the file (and line) when there is one, else on the run.
void github(std::ostream& out, const RecordReport& r) {
  for (const auto& x : r.records) {
    out << "::" << github_command(x.severity);
    std::string props;
    if (!x.file.empty()) {
      props = "file=" + github_property(x.file);
      if (x.line > 0) props += ",line=" + std::to_string(x.line);
      if (x.line > 0 && x.column > 0) props += ",col=" + std::to_string(x.column);
    }
    props += std::string(props.empty() ? "" : ",") + "title=" + github_property("driftguard " + r.command + ": " + x.id);
    out << " " << props << "::" << github_data(text(x)) << "\n";
  }
  out << "driftguard " << r.command << ": " << r.summary << "\n";
}

void markdown(std::ostream& out, const RecordReport& r) {
  out << "### driftguard " << r.command << ": " << r.summary << "\n";
  if (r.records.empty()) return;
  out << "\n| where | severity | kind | item |\n|---|---|---|---|\n";
  for (const auto& x : r.records) {
    out << "| " << markdown_cell(place(x)) << " | " << to_string(x.severity) << " | [`" << x.id << "`]("
        << docs_url_of(r) << ") | " << markdown_cell(x.message);
    if (!x.help.empty()) out << "<br>" << markdown_cell(x.help);
    out << " |\n";
  }
}

// One suite; each record a failing test case (a clean report: one passing case).
void junit(std::ostream& out, const RecordReport& r) {
  std::string suite = "driftguard " + r.command;
  std::size_t tests = std::max<std::size_t>(r.records.size(), 1);
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"" << xml_escape(suite) << "\" tests=\"" << tests << "\" failures=\"" << r.records.size()
      << "\" errors=\"0\">\n";
  out << "  <testsuite name=\"" << xml_escape(suite) << "\" tests=\"" << tests << "\" failures=\"" << r.records.size()
      << "\" errors=\"0\">\n";
  if (r.records.empty()) out << "    <testcase name=\"" << xml_escape(r.summary) << "\" classname=\"" << xml_escape(suite) << "\"/>\n";
  for (const auto& x : r.records) {
    out << "    <testcase name=\"" << xml_escape(x.id + " " + place(x)) << "\" classname=\"" << xml_escape(suite) << "\"";
    if (!x.file.empty()) out << " file=\"" << xml_escape(x.file) << "\"";
    if (x.line > 0) out << " line=\"" << x.line << "\"";
    out << ">\n      <failure type=\"" << to_string(x.severity) << "\" message=\"" << xml_escape(x.message) << "\">"
        << xml_escape(std::string(to_string(x.severity)) + "[" + x.id + "] " + place(x) + "\n" + text(x) +
                      "\ndocs: " + docs_url_of(r))
        << "</failure>\n    </testcase>\n";
  }
  out << "  </testsuite>\n</testsuites>\n";
}

// SARIF 2.1.0: one rule per kind (help: the command's docs page); a record without a file has no location.
void sarif(std::ostream& out, const RecordReport& r) {
  std::map<std::string, int> index;
  oj rules = oj::array();
  for (const auto& x : r.records) {
    if (index.count(x.id)) continue;
    index[x.id] = static_cast<int>(rules.size());
    rules.push_back(oj{{"id", x.id},
                       {"shortDescription", {{"text", "driftguard " + r.command + ": " + x.id}}},
                       {"helpUri", docs_url_of(r)}});
  }
  oj results = oj::array();
  for (const auto& x : r.records) {
    oj res{{"ruleId", x.id},
           {"ruleIndex", index[x.id]},
           {"level", sarif_level(x.severity)},
           {"message", {{"text", text(x)}}}};
    if (!x.file.empty()) {
      oj loc{{"artifactLocation", sarif_artifact(x.file)}};
      if (x.line > 0) {
        loc["region"] = oj{{"startLine", x.line}};
        if (x.column > 0) loc["region"]["startColumn"] = x.column;
      }
      res["locations"] = oj::array({oj{{"physicalLocation", loc}}});
    }
    results.push_back(res);
  }
  oj doc = sarif_log(rules, oj{{"executionSuccessful", true}}, results);
  out << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

}  // namespace

const std::vector<std::string>& record_formats() {
  static const std::vector<std::string> f = {"github", "markdown", "junit", "sarif"};
  return f;
}

void report_records(std::ostream& out, const std::string& format, const RecordReport& r) {
  if (format == "github") return github(out, r);
  if (format == "markdown") return markdown(out, r);
  if (format == "junit") return junit(out, r);
  sarif(out, r);
}

}  // namespace driftguard
