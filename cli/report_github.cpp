// --format github: GitHub Actions workflow commands, one per finding, which the runner turns into annotations
// on the pull request's diff:
//   ::error file=F,line=L,col=C,endLine=EL,endColumn=EC,title=RULE::MESSAGE
// followed by the plain summary line (workflow commands themselves are not shown in the log).
#include "cli/escape.hpp"
#include "cli/report.hpp"
#include "cli/report_stream.hpp"

namespace driftguard {

namespace {

std::string escape(std::string_view s, bool property) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '%':
        out += "%25";
        break;
      case '\r':
        out += "%0D";
        break;
      case '\n':
        out += "%0A";
        break;
      case ':':
        out += property ? "%3A" : ":";
        break;
      case ',':
        out += property ? "%2C" : ",";
        break;
      default:
        out += c;
    }
  }
  return out;
}

const char* command(Severity s) {
  switch (s) {
    case Severity::error:
      return "error";
    case Severity::warning:
      return "warning";
    default:
      return "notice";
  }
}

}  // namespace

std::string github_property(std::string_view s) { return escape(s, true); }
std::string github_data(std::string_view s) { return escape(s, false); }

void github_findings(std::ostream& out, const RunResult& r) {
  for (const auto& f : r.findings) {
    // the message, its notes (the detail the short first line leaves out) and its help are lines of one
    // annotation: each made visible, then joined
    std::string text = visible(f.message);
    for (const auto& n : f.notes) {
      text += '\n';
      text += visible(n.message);
    }
    text += '\n';
    text += visible(f.help);
    out << "::" << command(f.severity) << " file=" << github_property(visible(f.file)) << ",line=" << f.start.line
        << ",col=" << f.start.column << ",endLine=" << f.end.line << ",endColumn=" << f.end.column
        << ",title=" << github_property(f.rule) << "::" << github_data(text) << "\n";
  }
}

void github_summary(std::ostream& out, const RunResult& r) {
  for (const auto& e : r.errors) {
    out << "::error file=" << github_property(visible(e.path))
        << ",title=input error::" << github_data(visible(e.message)) << "\n";
  }
  out << "driftguard: " << summary_line(r);
  if (!r.errors.empty()) out << "; " << r.errors.size() << " input error" << (r.errors.size() == 1 ? "" : "s");
  out << "\n";
}

void report_github(std::ostream& out, const RunResult& r) {
  github_findings(out, r);
  github_summary(out, r);
}

}  // namespace driftguard
