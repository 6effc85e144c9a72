// Reporters: text (with source excerpts), json, gcc.
#pragma once

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
};

enum class Format { text, json, gcc };

void report_text(std::ostream& out, const RunResult& r, bool color);
void report_json(std::ostream& out, const RunResult& r);
void report_gcc(std::ostream& out, const RunResult& r);

std::string summary_line(const RunResult& r);
// "- old line" / "+ new line" for the lines a fix changes (text without BOM; edit offsets include `bom`).
std::vector<std::string> fix_diff(const std::string& text, const Fix& fix, std::size_t bom);
std::string doc_path(const std::string& rule);

}  // namespace driftguard
