// Test helpers: lint a string or a file with a given rule selection.
#pragma once

#include <string>
#include <vector>

#include "analyzer/source.hpp"
#include "rules/engine.hpp"

namespace dgtest {

inline std::vector<driftguard::Finding> lint_text(const std::string& sql, driftguard::RuleSelection sel = {},
                                                   driftguard::Settings settings = {},
                                                   const std::string& path = "test.sql") {
  driftguard::Engine engine(settings, sel);
  driftguard::RunState run;
  auto src = driftguard::make_source(path, sql);
  return engine.lint(src, run).findings;
}

inline std::string source_dir() { return DRIFTGUARD_SOURCE_DIR; }

}  // namespace dgtest
