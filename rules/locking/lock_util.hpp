// Shared pieces of the locking rules: locks on relations that existed before the migration, where the statement
// runs (transaction), and the edits their fixes make.
#pragma once

#include <optional>
#include <string>
#include <vector>

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

namespace driftguard::locking {

// The current statement's locks on relations that existed before it (created neither earlier in the file nor by a
// migration of this run newer than the baseline).
std::vector<LockTaken> existing_locks(const RuleContext& ctx);
// The current statement's lock on this relation, if the relation existed before.
std::optional<LockTaken> existing_lock_on(const RuleContext& ctx, const std::vector<std::string>& relation);

// Where the statement runs when it is inside a transaction: "inside the transaction opened by BEGIN",
// "inside a DO block (always one transaction)", "inside the transaction goose runs each migration in"; "" when
// it runs on its own.
std::string transaction_phrase(const RuleContext& ctx);
// The BEGIN that opened the current explicit transaction, as a finding note.
std::vector<Note> begin_note(const RuleContext& ctx);

// Can a fix add statements to this file without putting any of them into a transaction? False inside a
// transaction, and for runners that wrap a file once it has more than one statement (Prisma, golang-migrate,
// Supabase).
bool can_add_statements(const RuleContext& ctx);
// CREATE/DROP INDEX CONCURRENTLY, REINDEX ... CONCURRENTLY, DETACH PARTITION ... CONCURRENTLY.
bool concurrently(const Statement& st);
// No CONCURRENTLY form can run in this file: an extension script always runs inside the transaction of CREATE/ALTER
// EXTENSION, where PostgreSQL refuses them (measured in tests/test_runner_oracle.cpp), so the require-concurrent-*
// rules have nothing to ask for there.
bool concurrently_impossible(const RuleContext& ctx);
// A statement PostgreSQL refuses inside a transaction block (CONCURRENTLY index builds and drops, REINDEX
// CONCURRENTLY, DETACH PARTITION CONCURRENTLY, VACUUM, CREATE/DROP DATABASE, ...).
bool must_run_outside_transaction(const Statement& st);

// The first part of a default expression that may be volatile ("random()", "nextval()", "a subquery"), or "":
// a default made of constants, casts, operators and stable or immutable built-in functions is evaluated once by
// ADD COLUMN on PostgreSQL 11 and later (no rewrite).
std::string volatile_part(const json& e, int depth = 0);
// Does the statement read or write every row of a table (index build, validation, scan for NOT NULL, rewrite)?
// A statement that does not (catalog-only ADD COLUMN, DROP CONSTRAINT, ...) ends as soon as it has its lock.
// (PostgreSQL 11 and later: before, any ADD COLUMN default rewrote the table.)
bool reads_or_writes_every_row(const Statement& st);

// Position just after the first keyword `kw` among the first `max_tokens` tokens of the statement.
std::optional<std::size_t> after_keyword(const RuleContext& ctx, std::string_view kw, int max_tokens = 4);
// " CONCURRENTLY" or " concurrently", following the case of the statement's first letter.
std::string keyword_case(const RuleContext& ctx, std::string_view upper);

}  // namespace driftguard::locking
