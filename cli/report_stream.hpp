// Reports written while lint runs, a few files at a time, so that memory does not grow with the number of
// findings or the files' texts: text, gcc, github, json, gitlab, sarif (its rule list after the results) and junit
// (a suite per file, files without findings too) write each part as it is ready. markdown (tables by rule) needs
// every finding first and has no stream.
#pragma once

#include <nlohmann/json.hpp>

#include <memory>
#include <ostream>
#include <string>

#include "cli/report.hpp"

namespace driftguard {

class ReportStream {
 public:
  // nullptr when `format` has no stream.
  static std::unique_ptr<ReportStream> open(std::ostream& out, const std::string& format, bool color,
                                            std::size_t width = 0);
  virtual ~ReportStream() = default;
  // The report lists every file, findings or not (junit): a part's `paths` are its files without findings too.
  virtual bool every_file() const { return false; }
  // Writes `part`: the findings of whole files (sorted, after everything written before; texts and boms of those
  // files for the excerpts), and adds them to the counts.
  void write(const RunResult& part);
  // Writes the rest of the run: `r`'s findings (sorted, after everything written), input errors and summary.
  // Sets r.written to the findings written before.
  void finish(RunResult& r);

 protected:
  virtual void findings(const RunResult& part) = 0;
  virtual void end(const RunResult& r) = 0;

 private:
  std::array<std::size_t, 4> written_{};
};

// The pieces of the formats (report.cpp, report_github.cpp, report_gitlab.cpp) that the streams share with
// report().
// width: the terminal width long excerpt lines are elided to (0: never elided).
void text_findings(std::ostream& out, const RunResult& r, bool color, std::size_t width);
void text_summary(std::ostream& out, const RunResult& r, bool color);
// The json document with streamed_array() in place of the findings; the summary counts tally(r).
nlohmann::ordered_json json_document(const RunResult& r);
nlohmann::ordered_json json_finding(const Finding& f);
void github_findings(std::ostream& out, const RunResult& r);
void github_summary(std::ostream& out, const RunResult& r);
nlohmann::ordered_json gitlab_issue(const Finding& f, const std::string& fingerprint, const std::string& docs_base);
std::unique_ptr<ReportStream> sarif_stream(std::ostream& out);  // report_sarif.cpp
std::unique_ptr<ReportStream> junit_stream(std::ostream& out);  // report_junit.cpp

}  // namespace driftguard
