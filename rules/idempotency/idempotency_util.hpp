// Helpers shared by the idempotency rules: which statements they look at, and whether an earlier
// DROP ... IF EXISTS in the same file makes a CREATE re-runnable.
#pragma once

#include <string>

#include "rules/common.hpp"

namespace driftguard::idem {

// Idempotency rules look at whole statements only (not at statements nested in CREATE SCHEMA elements, rule
// actions or SQL function bodies), and stay quiet inside a DO block's IF ... EXISTS check or exception handler.
//
// Context decides (docs/rules/require-if-not-exists.md, "Per runner"): a runner that records applied migrations
// (every runner but plain: Prisma, Supabase, goose, golang-migrate, dbmate, Flyway, Diesel, sqlx, fider, Synapse,
// temporal-sql-tool, CREATE/ALTER EXTENSION) never runs a file twice, and a statement inside a transaction (the
// runner's, an explicit BEGIN ... COMMIT, or a DO block), or the only statement of its file, leaves nothing
// behind when the file fails: a re-run cannot meet what it created. A psql file that quits under a `\if` check
// before it changes anything guards its own re-runs the same way. A schema dump, and temporal-sql-tool's
// setup-schema file, are loaded once into an empty database. The rules are quiet there unless the user chose them
// (--rule, --severity, a preset, the config). Plain psql files (no tracker) stay checked, and so does every
// statement that runs outside a transaction in a file of several (CONCURRENTLY files, -- +goose NO TRANSACTION,
// temporal-sql-tool's versioned folders, after a COMMIT, ...): a failure half-way leaves the statements before it
// applied.
inline bool tracked_transaction(const RuleContext& ctx) {
  const FileState& s = ctx.state();
  const FileTransaction& ft = s.runner_transaction();
  if (ft.schema_dump || !ft.new_database.empty()) return true;
  if (!records_applied(ft.runner) && ft.rerun_guard.empty()) return false;
  if (s.in_transaction() || ctx.statement().do_depth > 0) return true;
  // A file of one statement is atomic too: it either applies or leaves nothing behind.
  std::size_t top_level = 0;
  for (const auto& st : ctx.statements()) top_level += st.do_depth == 0 ? 1 : 0;
  return top_level <= 1;
}

inline bool skip(const RuleContext& ctx) {
  return ctx.statement().guarded || !ctx.ancestors().empty() || (tracked_transaction(ctx) && !ctx.rule_chosen());
}

// temporal-sql-tool re-runs a half-applied version and goes on past every error whose message contains "already
// exist" (tools/common/schema/updatetask.go, execStmts): a CREATE of an object that exists cannot stop the re-run.
// PostgreSQL's message for every such CREATE says "already exists" (tests/test_runner_oracle.cpp).
inline bool skip_create(const RuleContext& ctx) {
  return skip(ctx) || (ctx.state().runner_transaction().runner == Runner::temporal && !ctx.rule_chosen());
}

// The schema part of a "schema.name" / "schema.table.name" key.
inline std::string schema_of(const std::string& key) {
  auto dot = key.find('.');
  return dot == std::string::npos ? std::string() : key.substr(0, dot);
}

// Was the object (or its schema) dropped with IF EXISTS earlier in the file, so that it is gone when this
// statement runs again?
inline bool dropped_before(const RuleContext& ctx, ObjKind kind, const std::string& key) {
  if (ctx.state().dropped(kind, key)) return true;
  std::string schema = schema_of(key);
  return !schema.empty() && ctx.state().dropped(ObjKind::schema, schema);
}

// An object that lives on a table (index, constraint, trigger, policy, column) is gone when its table was
// dropped with IF EXISTS earlier in the file.
inline bool table_dropped_before(const RuleContext& ctx, const json& rangevar) {
  return dropped_before(ctx, ObjKind::relation, rangevar_key(rangevar));
}

inline bool is_temp(const json& rangevar) { return str(unwrap(rangevar), "relpersistence") == "t"; }

}  // namespace driftguard::idem
