// --format gitlab: GitLab Code Quality (a JSON array in the Code Climate issue format) for the merge request
// widget. Each issue has a fingerprint that stays the same while unrelated lines move (see fingerprints()).
#include <nlohmann/json.hpp>

#include "cli/json_stream.hpp"
#include "cli/report.hpp"

namespace driftguard {

void report_gitlab(std::ostream& out, const RunResult& r) {
  using oj = nlohmann::ordered_json;
  auto fps = fingerprints(r);
  dump_streaming(out, streamed_array(), [&](auto emit) {
    for (std::size_t k = 0; k < r.findings.size(); ++k) {
      const auto& f = r.findings[k];
      const char* severity = f.severity == Severity::error     ? "major"
                             : f.severity == Severity::warning ? "minor"
                                                               : "info";
      emit(oj{{"type", "issue"},
              {"check_name", f.rule},
              {"description", f.message},
              {"content", {{"body", f.help + "\n\nSee " + docs_url(f.rule, r.docs_base)}}},
              {"categories", {"Bug Risk"}},
              {"severity", severity},
              {"fingerprint", fps[k]},
              {"location", {{"path", f.file}, {"lines", {{"begin", f.start.line}, {"end", f.end.line}}}}}});
    }
  });
}

}  // namespace driftguard
