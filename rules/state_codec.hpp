// What replaying migrations leaves in a lint run (RunState): the model, the replayer's own state and the files newer
// than the baseline, as bytes and back. `lint --changed-since` keeps it for the unchanged migrations at the start of
// a migration set (cli/context_cache.hpp), so that the next run restores it instead of replaying them again.
#pragma once

#include <string>
#include <string_view>

#include "rules/state.hpp"

namespace driftguard {

struct StateCodec {
  // The part of `run` that replay_context changes, between two files: the model (analyzer/model/snapshot), the
  // replayer's counters, search path, own schemas, skipped statements and failure mode, and the run's files newer
  // than the baseline. Not what lint sets itself (the history end, schema.prisma's fields, reports at other files)
  // nor a file's own state (none is open between files).
  static std::string encode(const RunState& run);
  // Replaces that part of `run` with `bytes`. Malformed bytes throw model::snapshot::Malformed naming the byte
  // offset, and `run` is left as it was.
  static void decode(std::string_view bytes, RunState& run);
};

}  // namespace driftguard
