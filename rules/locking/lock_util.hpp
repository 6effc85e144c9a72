// Shared pieces of the locking rules.
#pragma once

#include <string>

#include "rules/common.hpp"
#include "rules/locking/lock_model.hpp"

namespace driftguard {

// The lock sentence of one ALTER TABLE sub-command on `rel` (from the lock model).
inline std::string cmd_lock_sentence(const json& rel, const json& alter_table_cmd) {
  return lock_sentence(LockTaken{rangevar_parts(rel), alter_cmd_lock(alter_table_cmd), ""});
}

// Calls fn(cmd, column_def) for each ADD COLUMN of an ALTER TABLE on a table that existed before this file.
template <typename Fn>
void for_each_added_column(const json& alter_table_stmt, const RuleContext& ctx, Fn fn) {
  if (existing_altered_table(alter_table_stmt, ctx).is_null()) return;
  for (const auto& c : alter_cmds(alter_table_stmt)) {
    if (c.subtype != "AT_AddColumn") continue;
    const json& cd = field(field(*c.cmd, "def"), "ColumnDef");
    if (cd.is_object()) fn(c, cd);
  }
}

}  // namespace driftguard
