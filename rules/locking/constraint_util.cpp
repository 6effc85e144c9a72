#include "rules/locking/constraint_util.hpp"

namespace driftguard::locking {

std::string constraint_kind(const json& c) {
  std::string t = str(c, "contype");
  if (t == "CONSTR_CHECK") return "CHECK";
  if (t == "CONSTR_FOREIGN") return "FOREIGN KEY";
  if (t == "CONSTR_UNIQUE") return "UNIQUE";
  if (t == "CONSTR_PRIMARY") return "PRIMARY KEY";
  if (t == "CONSTR_EXCLUSION") return "EXCLUDE";
  return t;
}

std::string add_constraint(const json& c, const json& table) {
  // The table, not the constraint's name: the lock is on the table, and the finding's span already points at the
  // constraint (both names do not fit a short first line).
  std::string s = "ADD ";
  s += constraint_kind(c);
  s += " on ";
  s += rangevar_display(table);
  return s;
}

namespace {
// Position after the COMMIT that ends the current explicit transaction.
std::optional<std::size_t> after_commit(const RuleContext& ctx) {
  const auto& all = ctx.statements();
  for (std::size_t j = ctx.statement_index() + 1; j < all.size(); ++j) {
    if (all[j].do_depth != 0 || all[j].kind != "TransactionStmt") continue;
    std::string k = str(unwrap(all[j].node), "kind");
    if (k == "TRANS_STMT_COMMIT") return ctx.after_statement(all[j]);
    if (k == "TRANS_STMT_ROLLBACK" || k == "TRANS_STMT_PREPARE") return std::nullopt;
  }
  return std::nullopt;
}

std::string relation_as_written(const RuleContext& ctx, const json& rel) { return std::string(ctx.text(ctx.location_span(rel))); }
}  // namespace

std::optional<Fix> not_valid_fix(const RuleContext& ctx, const json& stmt, std::size_t cmd_index, const json& c) {
  std::string name = str(c, "conname");
  const json& rel = field(unwrap(stmt), "relation");
  Span cmd = ctx.alter_cmd_span(stmt, cmd_index);
  if (name.empty() || ctx.statement().approximate || !rel.contains("location") ||
      cmd.begin == ctx.statement_span().begin) {
    return std::nullopt;
  }
  std::optional<std::size_t> at;
  if (ctx.state().in_explicit_transaction() && ctx.statement().do_depth == 0) {
    at = after_commit(ctx);
  } else if (can_add_statements(ctx)) {
    at = ctx.after_statement();
  }
  if (!at) return std::nullopt;
  // The spaces and line break go inside keyword_case (which only changes letter case): GCC 12 at -O3 warns
  // falsely on `"literal" + std::string&&`.
  std::string validate = keyword_case(ctx, "\nALTER TABLE ") + relation_as_written(ctx, rel) +
                         keyword_case(ctx, " VALIDATE CONSTRAINT ") + quote_ident(name) + ";";
  return Fix{"add NOT VALID and validate in a separate transaction",
             {Edit{Span{cmd.end, cmd.end}, keyword_case(ctx, " NOT VALID")}, Edit{Span{*at, *at}, validate}}};
}

namespace {
// CREATE UNIQUE INDEX CONCURRENTLY + ADD CONSTRAINT ... USING INDEX, for a named constraint on plain columns,
// alone in its ALTER TABLE, in a file where the two statements each run on their own.
std::optional<Fix> using_index_fix(const RuleContext& ctx, const json& stmt, const json& c) {
  std::string name = str(c, "conname");
  const json& rel = field(unwrap(stmt), "relation");
  if (name.empty() || alter_cmds(stmt).size() != 1 || !can_add_statements(ctx) || ctx.statement().approximate ||
      !rel.contains("location") || c.contains("including") || c.contains("options") || c.contains("indexspace") ||
      flag(c, "nulls_not_distinct") || flag(c, "deferrable") || flag(c, "initdeferred")) {
    return std::nullopt;
  }
  auto keys = strings(field(c, "keys"));
  if (keys.empty()) return std::nullopt;
  std::string cols;
  for (const auto& k : keys) cols += (cols.empty() ? "" : ", ") + quote_ident(k);
  std::string table = relation_as_written(ctx, rel);
  std::string idx = quote_ident(name);
  // The fix's own output must lint clean and re-run: IF NOT EXISTS on the index, and the ADD in a DO block that
  // checks pg_constraint (a second ADD ... USING INDEX fails with "index is already associated with a
  // constraint", SQLSTATE 55000, which no duplicate_object handler catches).
  auto literal = [](const std::string& v) {
    std::string out = "'";
    for (char ch : v) out += ch == '\'' ? std::string("''") : std::string(1, ch);
    return out + "'";
  };
  std::string text = keyword_case(ctx, "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ") + idx +
                     keyword_case(ctx, " ON ") + table + " (" + cols + ");\n" + keyword_case(ctx, "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = ") +
                     literal(table) + "::regclass" + keyword_case(ctx, " AND conname = ") + literal(name) +
                     keyword_case(ctx, ") THEN ALTER TABLE ") + table + keyword_case(ctx, " ADD CONSTRAINT ") + idx +
                     " " + keyword_case(ctx, constraint_kind(c)) + keyword_case(ctx, " USING INDEX ") + idx +
                     keyword_case(ctx, "; END IF; END $$");
  return Fix{"build the index CONCURRENTLY first, then add the constraint USING INDEX",
             {Edit{ctx.statement_span(), text}}};
}
}  // namespace

namespace {
// ADD [CONSTRAINT c] PRIMARY KEY USING INDEX i: the index's columns that may hold nulls. PostgreSQL sets them NOT
// NULL inside the ALTER TABLE and scans every row to check it under ACCESS EXCLUSIVE (measured in
// tests/test_rewrite_oracle.cpp), unless a validated CHECK (col IS NOT NULL) proves it (PostgreSQL 12 and later).
// The index and the columns come from the schema model before the statement; nothing is said when it does not hold
// them.
void check_primary_key_using_index(RuleContext& ctx, const json& stmt, std::size_t cmd_index, const json& rel,
                                   const json& c, const LockTaken& lock) {
  const model::Table* t = ctx.run().table(rel);
  if (!t) return;
  const model::Index* index = nullptr;
  for (const auto& i : t->indexes) {
    if (i.name == str(c, "indexname")) index = &i;
  }
  if (!index) return;
  std::vector<std::string> nullable;
  for (const auto& k : index->keys) {
    if (k.is_expression) return;  // PostgreSQL refuses a primary key on an expression index
    for (const auto& col : t->columns) {
      if (quote_ident(col.name) != k.expr || col.not_null) continue;
      if (ctx.settings().pg_version >= 12 && ctx.run().has_not_null_check(t->schema + "." + t->name, col.name)) continue;
      nullable.push_back(col.name);
    }
  }
  if (nullable.empty()) return;
  std::string cols;
  for (const auto& n : nullable) cols += (cols.empty() ? "" : ", ") + quote_ident(n);
  const bool one = nullable.size() == 1;
  ctx.report(ctx.alter_cmd_span(stmt, cmd_index),
             add_constraint(c, rel) + " USING INDEX " + quote_ident(str(c, "indexname")) + " sets column" +
                 (one ? " " : "s ") + cols + " NOT NULL",
             ctx.settings().pg_version >= 12
                 ? "Make the column" + std::string(one ? "" : "s") + " NOT NULL first without the scan under the "
                   "lock: add CHECK (col IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT it (a scan that does not block "
                   "reads or writes), then SET NOT NULL (PostgreSQL uses the validated check and skips the scan), "
                   "then add the primary key USING INDEX."
                 : std::string("Before PostgreSQL 12 setting NOT NULL always scans: run it when the table can be "
                               "locked."));
  ctx.note("PostgreSQL scans every row to check it while it " + lock_sentence(lock));
}
}  // namespace

void check_index_constraint(const json& stmt, RuleContext& ctx, const std::string& contype) {
  const json& table = existing_altered_table(stmt, ctx);
  if (table.is_null()) return;
  auto lock = existing_lock_on(ctx, rangevar_parts(table));
  if (!lock) return;
  const bool pk = contype == "CONSTR_PRIMARY";
  std::string help =
      pk ? "Build a unique index with CREATE UNIQUE INDEX CONCURRENTLY, then ALTER TABLE ... ADD CONSTRAINT ... PRIMARY "
           "KEY USING INDEX (the columns must already be NOT NULL, or the ADD scans the table to set it)."
         : "Build the index with CREATE UNIQUE INDEX CONCURRENTLY, then ALTER TABLE ... ADD CONSTRAINT ... UNIQUE USING "
           "INDEX: only the short catalog change then holds the lock.";
  for (const auto& cmd : alter_cmds(stmt)) {
    const json& def = field(*cmd.cmd, "def");
    if (cmd.subtype == "AT_AddConstraint") {
      const json& c = field(def, "Constraint");
      if (str(c, "contype") != contype) continue;
      if (c.contains("indexname")) {
        if (pk) check_primary_key_using_index(ctx, stmt, cmd.index, table, c, *lock);
        continue;
      }
      ctx.report(ctx.alter_cmd_span(stmt, cmd.index),
                 add_constraint(c, table) + " builds its index under " +
                     std::string(lock_name(lock->mode)),
                 help, using_index_fix(ctx, stmt, c));
      ctx.note("it builds the index while it " + lock_sentence(*lock));
    } else if (cmd.subtype == "AT_AddColumn") {
      const json& cd = field(def, "ColumnDef");
      if (!column_constraint(cd, contype.c_str())) continue;
      ctx.report(ctx.alter_cmd_span(stmt, cmd.index),
                 "ADD COLUMN " + quote_ident(str(cd, "colname")) + (pk ? " PRIMARY KEY" : " UNIQUE") +
                     " builds a unique index under " + std::string(lock_name(lock->mode)),
                 "Add the column without it, then build the index with CREATE UNIQUE INDEX CONCURRENTLY and add the "
                 "constraint USING INDEX.");
      ctx.note("it builds the index while it " + lock_sentence(*lock));
    }
  }
}

}  // namespace driftguard::locking
