// Reporters: text (with source excerpts), json, gcc in report.cpp; sarif, github, junit, gitlab, markdown each in
// report_<format>.cpp.
#pragma once

#include <nlohmann/json.hpp>

#include <array>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "analyzer/finding.hpp"
#include "analyzer/source.hpp"

namespace driftguard {

struct RunResult {
  std::vector<Finding> findings;       // sorted
  std::vector<InputError> errors;      // files that could not be read
  std::map<std::string, std::string> texts;  // file -> text (BOM excluded), for excerpts
  std::map<std::string, std::size_t> boms;
  int files = 0;                       // files analyzed
  std::vector<std::string> paths;      // the files analyzed, in analysis order
  std::string docs_base;               // --docs-url: where the rule pages are (docs/rules/ID.md below it); "" = kDocsBase
  // Findings a streaming report (cli/report_stream.hpp) wrote earlier and no longer holds, by Severity: the
  // summaries count them with `findings`.
  std::array<std::size_t, 4> written{};
};

// The findings of a run by Severity (index): `written` and `findings` together.
std::array<std::size_t, 4> tally(const RunResult& r);

inline constexpr std::string_view kVersion = "0.1.0";
// Where the project and its rule pages live (SARIF informationUri and helpUri, Markdown links).
inline constexpr std::string_view kProjectUrl = "https://github.com/driftguard/driftguard";
// The default --docs-url: the published documentation, below which docs/rules/ID.md is a rule's page.
inline constexpr std::string_view kDocsBase = "https://github.com/driftguard/driftguard/blob/main";

// `width`: the terminal's (output_width(), cli/terminal.hpp), to which long source lines of the excerpts
// are elided with "…"; 0 (piped): whole lines. Messages, help, notes and fixes (text to write: cut, the change could
// be the part left out) are never cut.
void report_text(std::ostream& out, const RunResult& r, bool color, std::size_t width = 0);
void report_json(std::ostream& out, const RunResult& r);
void report_gcc(std::ostream& out, const RunResult& r);
void report_sarif(std::ostream& out, const RunResult& r);
void report_github(std::ostream& out, const RunResult& r);
void report_junit(std::ostream& out, const RunResult& r);
void report_gitlab(std::ostream& out, const RunResult& r);
void report_markdown(std::ostream& out, const RunResult& r);

// The names accepted by --format, and the dispatch.
const std::vector<std::string>& report_formats();
void report(std::ostream& out, const std::string& format, const RunResult& r, bool color, std::size_t width = 0);

// GitHub workflow-command escaping: a property value (file=, title=...) escapes % CR LF : and ,; the message
// escapes % CR LF.
std::string github_property(std::string_view s);
std::string github_data(std::string_view s);
// XML attribute and text escaping (JUnit), a Markdown table cell, a path as a SARIF URI reference: the reporters'
// own, for the other reports that use these formats (cli/report_records.hpp).
std::string xml_escape(std::string_view s);
std::string markdown_cell(std::string_view s);
// A SARIF artifactLocation: the path relative to the repository root (the nearest folder above the working
// directory that holds .git, else the working directory) with uriBaseId %SRCROOT%, so that a job run in a monorepo
// sub-folder places its results right; an absolute file:// URI for a path outside it.
nlohmann::ordered_json sarif_artifact(const std::string& path);
// A SARIF 2.1.0 log of one driftguard run: the driver with its `rules`, one invocation (given the working
// directory), the results, and %SRCROOT% in originalUriBaseIds.
nlohmann::ordered_json sarif_log(nlohmann::ordered_json rules, nlohmann::ordered_json invocation,
                                 nlohmann::ordered_json results);
// A fingerprint of a finding that survives unrelated edits: rule, file, the text of the span (whitespace
// collapsed) and the number of earlier findings with the same three. 16 hex digits.
std::vector<std::string> fingerprints(const RunResult& r);
// The documentation page of a rule below `base` (--docs-url; "" = kDocsBase).
std::string docs_url(const std::string& rule, const std::string& base = "");

std::string summary_line(const RunResult& r);
// "- old line" / "+ new line" for the lines a fix changes (text without BOM; edit offsets include `bom`).
std::vector<std::string> fix_diff(const std::string& text, const Fix& fix, std::size_t bom);
std::string doc_path(const std::string& rule);

}  // namespace driftguard
