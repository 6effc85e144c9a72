// --format junit: JUnit XML for CI test-report views. One <testsuite> per analyzed file; each finding is a
// <testcase> with a <failure> (type = severity); a file without findings is one passing test case; input errors
// are <error>s in a suite of their own. A file's suite is complete when the file is: lint streams it.
#include <algorithm>
#include <map>

#include "cli/escape.hpp"
#include "cli/report.hpp"
#include "cli/report_stream.hpp"

namespace driftguard {

namespace {

// XML attribute and text escaping of one field; control characters (which XML 1.0 cannot carry, and which would
// reach the terminal of whoever reads the report) as visible escapes first.
std::string xml(std::string_view raw) {
  std::string s = visible(raw);
  std::string out;
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '&') {
      out += "&amp;";
    } else if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else if (c == '"') {
      out += "&quot;";
    } else if (c == '\'') {
      out += "&apos;";
    } else if (u < 0x20 && c != '\t' && c != '\n' && c != '\r') {
      out += "\xEF\xBF\xBD";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string xml_escape(std::string_view s) { return xml(s); }

namespace {

void junit_start(std::ostream& out) {
  // <testsuites> carries no totals: they are not known before the last file (the report is streamed), and every
  // attribute of it is optional for the readers (Jenkins, GitLab sum the suites).
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"driftguard\">\n";
}

// One <testsuite> per file of `r` (its paths, and the files its findings are at), in path order.
void junit_suites(std::ostream& out, const RunResult& r) {
  std::map<std::string, std::vector<const Finding*>> by_file;
  for (const auto& p : r.paths) by_file[p];
  for (const auto& f : r.findings) by_file[f.file].push_back(&f);
  for (const auto& [file, fs] : by_file) {
    out << "  <testsuite name=\"" << xml(file) << "\" tests=\"" << std::max<std::size_t>(fs.size(), 1)
        << "\" failures=\"" << fs.size() << "\" errors=\"0\">\n";
    if (fs.empty()) out << "    <testcase name=\"driftguard\" classname=\"" << xml(file) << "\"/>\n";
    for (const Finding* f : fs) {
      std::string pos = std::to_string(f->start.line) + ":" + std::to_string(f->start.column);
      out << "    <testcase name=\"" << xml(f->rule + " at " + pos) << "\" classname=\"" << xml(file) << "\" file=\""
          << xml(file) << "\" line=\"" << f->start.line << "\">\n";
      out << "      <failure type=\"" << to_string(f->severity) << "\" message=\"" << xml(f->message) << "\">"
          << xml(to_string(f->severity)) << "[" << xml(f->rule) << "] " << xml(file) << ":" << pos << "\n"
          << xml(f->message);
      for (const auto& n : f->notes) out << "\nnote: " << xml(n.message);
      out << "\nhelp: " << xml(f->help) << "\ndocs: " << xml(docs_url(f->rule, r.docs_base)) << "</failure>\n";
      out << "    </testcase>\n";
    }
    out << "  </testsuite>\n";
  }
}

// The input errors' suite and the end of the document.
void junit_end(std::ostream& out, const RunResult& r) {
  if (!r.errors.empty()) {
    out << "  <testsuite name=\"input errors\" tests=\"" << r.errors.size() << "\" failures=\"0\" errors=\""
        << r.errors.size() << "\">\n";
    for (const auto& e : r.errors) {
      out << "    <testcase name=\"" << xml(e.path) << "\" classname=\"input\">\n      <error message=\""
          << xml(e.message) << "\"/>\n    </testcase>\n";
    }
    out << "  </testsuite>\n";
  }
  out << "</testsuites>\n";
}

// Each part's files are whole (every path sorting before them written already): their suites are final.
class JunitStream : public ReportStream {
 public:
  explicit JunitStream(std::ostream& out) : out_(out) { junit_start(out_); }
  bool every_file() const override { return true; }

 protected:
  void findings(const RunResult& part) override { junit_suites(out_, part); }
  void end(const RunResult& r) override {
    junit_suites(out_, r);
    junit_end(out_, r);
  }

 private:
  std::ostream& out_;
};

}  // namespace

void report_junit(std::ostream& out, const RunResult& r) {
  junit_start(out);
  junit_suites(out, r);
  junit_end(out, r);
}

std::unique_ptr<ReportStream> junit_stream(std::ostream& out) { return std::make_unique<JunitStream>(out); }

}  // namespace driftguard
