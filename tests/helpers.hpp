// Test helpers: lint a string or a file with a given rule selection.
#pragma once

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/paths.hpp"
#include "analyzer/model/replay.hpp"
#include "analyzer/parse.hpp"
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

// The schema model a SQL text replays to (as file `file`); the replay must succeed.
inline driftguard::model::SchemaModel replay_model(const std::string& sql, const std::string& file) {
  driftguard::model::Replayer r;
  std::vector<driftguard::Finding> findings;
  auto src = driftguard::make_source(file, sql);
  r.apply_file(src, driftguard::parse_sql(src.text), findings);
  REQUIRE(findings.empty());
  return r.take();
}

}  // namespace dgtest
