// A migration read for context only: `lint --changed-since` (unchanged files) and `lint --staged` (the folder's
// other staged files) replay it into the run's model, for what later files depend on (tables, column types), and
// run no rule on it: what Engine::lint does to the run, without the walk, the findings and the report.
#pragma once

#include "analyzer/parse.hpp"
#include "analyzer/source.hpp"
#include "rules/rule.hpp"
#include "rules/state.hpp"

namespace driftguard {

// `settings`: the file's engine's (runner, transaction, PostgreSQL version, baseline); `parsed`: the file as
// Engine::parse parses it. A down migration changes nothing, as under Engine::lint.
void replay_context(const Settings& settings, const SourceFile& file, const ParsedFile& parsed, RunState& run);

}  // namespace driftguard
