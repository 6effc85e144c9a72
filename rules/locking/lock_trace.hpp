// `driftguard locks`: per statement of a file, the locks it takes (from the lock model), on which relation, what
// that blocks, whether the relation existed before the migration, and the transaction the statement runs in.
#pragma once

#include <string>
#include <vector>

#include "analyzer/parse.hpp"
#include "analyzer/source.hpp"
#include "rules/locking/lock_model.hpp"
#include "rules/rule.hpp"

namespace driftguard {

struct TracedLock {
  LockTaken lock;
  std::string origin;  // "existing", "created in this file", "created after the baseline"
};

struct TracedStatement {
  Span span;
  Position start;
  std::string text;         // first line of the statement, shortened
  std::string transaction;  // "none", "explicit", "runner", "do-block"
  std::vector<TracedLock> locks;
};

struct FileTrace {
  std::string path;
  FileTransaction runner;  // the runner and how it runs the file
  std::vector<TracedStatement> statements;
  std::vector<SyntaxError> errors;
  std::vector<Position> error_positions;
};

// Traces one file; `run` carries what earlier files of the same migration folder created (call in migration order).
FileTrace trace_locks(const SourceFile& file, RunState& run, const Settings& settings);

}  // namespace driftguard
