// --format gitlab: GitLab Code Quality (a JSON array in the Code Climate issue format) for the merge request
// widget. Each issue has a fingerprint that stays the same while unrelated lines move (see fingerprints()).
#include <nlohmann/json.hpp>

#include "cli/json_stream.hpp"
#include "cli/report.hpp"
#include "cli/report_stream.hpp"

namespace driftguard {

nlohmann::ordered_json gitlab_issue(const Finding& f, const std::string& fingerprint, const std::string& docs_base) {
  using oj = nlohmann::ordered_json;
  const char* severity = f.severity == Severity::error     ? "major"
                         : f.severity == Severity::warning ? "minor"
                                                           : "info";
  // The description is the short first line; the body carries the notes (the detail) and the help.
  std::string body;
  for (const auto& n : f.notes) {
    body += n.message;
    body += "\n\n";
  }
  body += f.help;
  body += "\n\nSee ";
  body += docs_url(f.rule, docs_base);
  return oj{{"type", "issue"},
            {"check_name", f.rule},
            {"description", f.message},
            {"content", {{"body", body}}},
            {"categories", {"Bug Risk"}},
            {"severity", severity},
            {"fingerprint", fingerprint},
            {"location", {{"path", f.file}, {"lines", {{"begin", f.start.line}, {"end", f.end.line}}}}}};
}

void report_gitlab(std::ostream& out, const RunResult& r) {
  auto fps = fingerprints(r);
  dump_streaming(out, streamed_array(), [&](auto emit) {
    for (std::size_t k = 0; k < r.findings.size(); ++k) emit(gitlab_issue(r.findings[k], fps[k], r.docs_base));
  });
}

}  // namespace driftguard
