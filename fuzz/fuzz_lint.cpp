// The SQL front end with every rule: one migration file linted as `driftguard lint` lints it (default settings, all
// default rules), once as a Prisma migration and once as a plain file, so that layout-gated rules run too.
#include "fuzz/fuzz_common.hpp"
#include "rules/engine.hpp"
#include "rules/state.hpp"

using namespace driftguard;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Engine engine(Settings{}, RuleSelection{});
  std::string text = fuzz::text_of(data, size);
  for (const char* path : {"prisma/migrations/20240101000000_x/migration.sql", "db/001_x.sql"}) {
    SourceFile f;
    try {
      f = make_source(path, text);
    } catch (const InputFailure&) {
      return 0;  // binary: refused before linting
    }
    RunState run;
    FileReport report = engine.lint(f, run);
    for (const auto& finding : report.findings) {
      // Every finding points into the file.
      if (finding.span.begin > f.text.size() || finding.span.end > f.text.size()) __builtin_trap();
    }
  }
  return 0;
}
