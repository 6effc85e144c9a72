// CI formats (github, markdown, junit, sarif) for reports that are not lint findings: drift items and migration
// states. Each item is a Record; the escaping is the lint reporters' (cli/report.hpp).
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "analyzer/finding.hpp"

namespace driftguard {

struct Record {
  std::string id;  // "missing-column", "edited": the kind, which names the rule in SARIF and the title elsewhere
  Severity severity = Severity::error;
  std::string file;  // "" when the item has no file (only in the live database): `where` names its source
  int line = 0;      // 0: the file, without a line
  int column = 0;
  std::string where;  // the source, when there is no file ("database:host:5432/app as deploy")
  std::string message;
  std::string help;  // what to do; may be ""
};

struct RecordReport {
  std::string command;  // "drift", "status": the report's name ("driftguard drift")
  std::string docs;     // the page that documents the ids: "docs/drift.md"
  std::string summary;  // one line: "3 drift items (1 error, 2 warnings)"
  std::vector<Record> records;
};

// The formats of report_records().
const std::vector<std::string>& record_formats();  // github, markdown, junit, sarif
void report_records(std::ostream& out, const std::string& format, const RecordReport& r);

}  // namespace driftguard
