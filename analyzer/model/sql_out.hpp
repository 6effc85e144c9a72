// SQL out: the script that turns one schema model into another. A rollback is the script from the model after a
// migration to the model before it; `drift --format sql` is the script from the actual side to the expected side.
// This file decides what changes and in which order (dependents dropped first, created last); every object is
// printed by the model's own renderer (model::ddl, the pieces of to_sql), never by a second one.
#pragma once

#include <string>
#include <vector>

#include "analyzer/model/model.hpp"

namespace driftguard::model {

// A rename the script reverses instead of dropping and creating (which would lose the rows): the object is named
// `from_name` in the model the script starts from and `to_name` in the one it ends at. The model keeps no rename
// history, so the caller finds them in the migration's statements; without one, a renamed table or column is a
// dropped and a created one (data lost), which the script says.
// A `table` rename of a relation that is a sequence or a view (ALTER TABLE s RENAME TO t: PostgreSQL allows it)
// is reversed as the rename of that relation. A `type` rename covers domains; a `function` rename every overload
// named from_name that has a counterpart named to_name with the same arguments; a `schema` rename names the
// schemas in from_name and to_name (`schema` unused).
struct Rename {
  enum class Kind { table, column, sequence, type, view, function, schema } kind = Kind::table;
  std::string schema;
  std::string table;  // the table (for a column: its name in the starting model); unused for the other kinds
  std::string from_name;
  std::string to_name;
};

struct ScriptOptions {
  std::string lock_timeout = "5s";  // SET lock_timeout first; "" = none
  // Indexes dropped and built CONCURRENTLY: only when the script runs outside a transaction block (the layout's
  // runner sends statement by statement in autocommit).
  bool concurrently = false;
  // A rollback: objects the script creates again existed before with rows, which it cannot bring back.
  bool rollback = false;
  // Destructive statements (DROP TABLE, DROP COLUMN, type changes, ...) written commented out with a warning
  // (drift --format sql without --allow-destructive).
  bool comment_destructive = false;
  // CHECK and FOREIGN KEY added NOT VALID then validated; SET NOT NULL behind a validated CHECK (IS NOT NULL), so
  // that no statement scans a table under ACCESS EXCLUSIVE.
  bool lock_safe = false;
  // Why destructive statements are meant (the reason of their driftguard-ignore comment).
  std::string reason = "rollback";
  std::vector<Rename> renames;  // applied first, in order
};

struct ScriptStatement {
  std::string sql;                     // one statement with its ";" (may span lines)
  std::vector<std::string> comments;   // printed above it as "-- ..."
  std::vector<std::string> ignores;    // lint rules (error level) the statement triggers on purpose
  bool destructive = false;            // drops data or objects
};

struct Script {
  std::vector<ScriptStatement> statements;
  // What the script cannot restore or does not do, one sentence each; each is also a comment in the text.
  std::vector<std::string> incomplete;
  // It creates functions: SQL-language bodies may name tables created later in the script, so their check waits
  // until they are called (SET check_function_bodies = off, as pg_dump and schema --from write).
  bool creates_functions = false;
  bool complete() const { return incomplete.empty(); }
  // The SQL: `header` comment lines first, then SET lock_timeout, then the statements.
  std::string text(const ScriptOptions& opts, const std::vector<std::string>& header = {}) const;
};

// The statements that turn `from` into `to` (both normalized models).
Script script_between(const SchemaModel& from, const SchemaModel& to, const ScriptOptions& opts);

}  // namespace driftguard::model
