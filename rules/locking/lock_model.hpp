// The lock model: which PostgreSQL table-level lock each statement (and each ALTER TABLE sub-command) takes, on
// which relation, and what that blocks, in one place. Rules and `driftguard locks` use it; nothing else decides
// lock levels. Every entry is measured on PostgreSQL by tests/test_lock_oracle.cpp (pg_locks), not taken from the
// documentation alone.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "analyzer/pgtree.hpp"

namespace driftguard {

enum class LockMode {
  none = 0,
  access_share,            // SELECT
  row_share,               // SELECT FOR UPDATE/SHARE
  row_exclusive,           // INSERT, UPDATE, DELETE, MERGE
  share_update_exclusive,  // VACUUM, ANALYZE, CREATE INDEX CONCURRENTLY, VALIDATE CONSTRAINT, ...
  share,                   // CREATE INDEX
  share_row_exclusive,     // CREATE TRIGGER, ADD FOREIGN KEY
  exclusive,               // REFRESH MATERIALIZED VIEW CONCURRENTLY
  access_exclusive,        // most ALTER TABLE forms, DROP, TRUNCATE, VACUUM FULL, CLUSTER, REINDEX (index)
};

// "ACCESS EXCLUSIVE", "SHARE ROW EXCLUSIVE", ...
std::string_view lock_name(LockMode m);
bool blocks_reads(LockMode m);   // conflicts with ACCESS SHARE (plain SELECT)
bool blocks_writes(LockMode m);  // conflicts with ROW EXCLUSIVE (INSERT/UPDATE/DELETE)
// "blocks reads and writes", "blocks writes (reads continue)", "blocks other schema changes and VACUUM
// (reads and writes continue)", ...
std::string blocks_text(LockMode m);

struct LockTaken {
  std::vector<std::string> relation;  // name parts as written (["public", "orders"]); empty when unknown
  LockMode mode = LockMode::none;
  std::string why;  // the statement or sub-command that takes it, e.g. "ALTER TABLE ... ADD COLUMN"
  // The lock is on the table of the index `relation` names (DROP INDEX i, REINDEX INDEX i lock i's table too):
  // the statement alone does not say which table that is.
  bool table_of_index = false;
};

// A boolean option of a parenthesized option list (REINDEX (CONCURRENTLY false), VACUUM (FULL off)): true when
// written without a value, false for false/off/0, as PostgreSQL's defGetBoolean reads it.
bool option_enabled(const pg::Node& def_elem);
// The option `name` is in `options` (a list of DefElem) and enabled.
bool has_option(const pg::Node& options, std::string_view name);

// The locks a statement takes (statement node: {"AlterTableStmt": {...}}). For ALTER TABLE the strongest lock of
// its sub-commands is taken on the table for the whole statement; FOREIGN KEY constraints also lock the
// referenced table. Statements that lock no existing relation (CREATE TABLE, CREATE TYPE, SET, ...) give none.
std::vector<LockTaken> locks_of(const pg::Node& statement);

// The lock one ALTER TABLE sub-command (AlterTableCmd body) needs on the altered table.
LockMode alter_cmd_lock(const pg::Node& alter_table_cmd);

// One sentence for findings: "takes ACCESS EXCLUSIVE on public.orders: blocks reads and writes until the
// transaction ends" ("on the table of index i" for a lock on an index's table).
std::string lock_sentence(const LockTaken& l);
// What a lock is on, as lock_sentence names it ("public.orders", "the table of index public.orders_idx"): findings
// name it in their first line, the lock sentence goes into a note.
std::string lock_target(const LockTaken& l);

}  // namespace driftguard
