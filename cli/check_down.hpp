// Down migrations checked: for each up migration with a down file (or a goose/dbmate Down section), the history
// up to it is replayed, then the up, then the down, and the schema must be the one before the up. What differs is
// an `incomplete-down-migration` finding at the down's first statement, with the SQL that completes the down as
// its fix (analyzer/model/sql_out). Statically through the replay, or (`shadow`) by PostgreSQL in throwaway
// clusters. Used by `driftguard check-down` and by `lint` (the rule of the same name).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "analyzer/finding.hpp"
#include "analyzer/model/sql_out.hpp"
#include "cli/model_source.hpp"
#include "introspect/diff.hpp"

namespace driftguard {

inline constexpr const char* kIncompleteDown = "incomplete-down-migration";

// An up migration and its down: a file where the layout keeps it (cli/rollback's rollback_target: down.sql beside
// up.sql or a Prisma migration.sql, NAME.down.sql, down/NAME.sql, Flyway's U file), or the Down section of a goose
// or dbmate file (`down` is then the up file itself).
struct DownPair {
  std::size_t up_index = 0;  // in History::ups
  std::string up;
  std::string down;
  bool section = false;
};

struct DownHistory {
  std::vector<std::string> ups;  // the history, in order (down files left out)
  std::vector<DownPair> pairs;   // in history order
  // Contents read elsewhere than from the disk (lint --staged: the git index; lint -: stdin), by normalized path.
  std::map<std::string, std::string> texts;
  SourceFile load(const std::string& path) const;  // from `texts`, else from the disk; throws InputFailure
};

// `files`: one migration folder in discover() order; `texts` as DownHistory::texts (files only there count too).
DownHistory down_history(const std::vector<std::string>& files, std::map<std::string, std::string> texts = {});

// The down as the replay and the shadow cluster run it: the down file, or the up file with everything but its Down
// section blanked (offsets kept, so positions are the file's) and the Down markers turned into Up markers.
SourceFile down_source(const DownPair& pair, const DownHistory& history = DownHistory{});
SourceFile down_source(const DownPair& pair, SourceFile file);  // `file`: the pair's down file (or its up), read

struct DownCheck {
  DownPair pair;
  std::vector<diff::DriftItem> items;  // expected = the schema before the up, actual = after the up and the down
  std::vector<Finding> findings;       // incomplete-down-migration, located in the down's text
  std::string completion;              // the SQL that completes the down ("" when nothing is missing)
  std::string cannot_check;            // the history or the up does not apply: why (nothing compared)
};

struct CheckDownResult {
  std::vector<DownCheck> checks;
  std::vector<InputError> errors;          // unreadable files
  std::map<std::string, std::string> texts;  // down file -> its text (for excerpts)
};

// Checks every pair of the history (ctx.shadow: in throwaway clusters, two per pair; ctx.platform: on that
// baseline). The findings carry no severity yet and no suppression: Engine::suppress (check-down) or Engine::lint
// (lint) applies the configuration and the down file's driftguard-ignore comments.
CheckDownResult check_down(const DownHistory& history, const LoadContext& ctx);

}  // namespace driftguard
