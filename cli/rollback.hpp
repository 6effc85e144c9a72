// The rollback of one or more migrations: the models before and after them (replayed as `migrations` does), the
// script between them (analyzer/model/sql_out), what it cannot undo, and where its down file goes. Used by
// `driftguard rollback` and by the PostgreSQL oracle test.
#pragma once

#include <string>
#include <vector>

#include "analyzer/model/sql_out.hpp"
#include "cli/model_source.hpp"

namespace driftguard {

struct RollbackTarget {
  std::string path;             // the down file: down.sql beside a Prisma migration.sql, NAME.down.sql, down/NAME.sql, ...
  std::string why_not_written;  // non-empty: --write prints instead (goose/dbmate Down sections, Supabase), and why
  model::ScriptOptions options; // CONCURRENTLY only when the runner runs the file outside a transaction block
};

// `undone`: the migrations rolled back, in order (the last one names the down file).
RollbackTarget rollback_target(const std::vector<std::string>& undone);

struct Rollback {
  std::vector<std::string> undone;  // the migrations undone, in order
  RollbackTarget target;
  model::SchemaModel before;        // the schema before the first undone migration
  model::SchemaModel after;         // the schema after the last one
  model::Script script;             // after -> before; `incomplete` also names what the model does not hold
  std::vector<InputError> errors;   // unreadable files
  std::string sql() const;          // the script with its header (what it undoes, what it cannot)
};

// Undoes ups[first..last] (up migrations in order: discover()'s, down files left out).
Rollback compute_rollback(const std::vector<std::string>& ups, std::size_t first, std::size_t last, const LoadContext& ctx);

}  // namespace driftguard
