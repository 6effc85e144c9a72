#include <algorithm>

#include "rules/destructive/drop_util.hpp"
#include "rules/locking/lock_util.hpp"

namespace driftguard {
namespace {
// A statement that keeps the lock held for long: it reads or writes rows (DML, a query, a function call, a DO
// block) or every row of a table (a scan, a rewrite, an index build). Catalog-only statements (CREATE FUNCTION,
// COMMENT, GRANT, a rename, a new table or type, ADD COLUMN without a volatile default, ...) end in milliseconds:
// the lock they extend is not what blocks the table. Neither does an index build or an ALTER TABLE on a table
// that holds no data yet (created in this file): it reads no rows (ATTACH PARTITION reads the partition's).
bool runs_long(const Statement& st, const FileState& s) {
  static const std::vector<std::string_view> rows = {"InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt",
                                                     "SelectStmt", "CopyStmt",   "CallStmt",   "DoStmt",
                                                     "CreateTableAsStmt", "RefreshMatViewStmt", "ClusterStmt",
                                                     "VacuumStmt"};
  if (std::find(rows.begin(), rows.end(), st.kind) != rows.end()) return true;
  if (!locking::reads_or_writes_every_row(st)) return false;
  if (st.kind != "IndexStmt" && st.kind != "AlterTableStmt") return true;
  const json& rel = field(unwrap(st.node), "relation");
  if (!rel.is_object() || !s.is_new_relation(rel)) return true;
  if (st.kind == "AlterTableStmt") {
    for (const auto& c : alter_cmds(st.node)) {
      if (c.subtype == "AT_AttachPartition") return true;
    }
  }
  return false;
}

// Is the relation a held lock is on created again (under its name) by a statement after the one that took it?
bool created_later(const RuleContext& ctx, const FileState::HeldLock& h) {
  const std::string key = qualified_key(h.relation);
  for (const auto& st : ctx.statements()) {
    if (st.span.begin <= h.statement.begin) continue;
    auto o = destructive::created_object(st.kind, unwrap(st.node));
    if (o && o->first == ObjKind::relation && o->second == key) return true;
  }
  return false;
}

class LockHeldAcrossStatements final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"lock-held-across-statements", "locking", Severity::warning,
                            "Statements after one that took ACCESS EXCLUSIVE on an existing table in the same "
                            "transaction: the table stays blocked while they run"};
    return i;
  }
  // Every top-level statement is a candidate: the engine hands the root node of each to the rules that ask for its
  // type, so the rule asks for the statement kinds that do work (not SET, not transaction control).
  std::vector<std::string_view> node_types() const override {
    return {"AlterTableStmt", "IndexStmt", "CreateStmt", "CreateTableAsStmt", "DropStmt", "TruncateStmt",
            "ReindexStmt", "ClusterStmt", "VacuumStmt", "RefreshMatViewStmt", "LockStmt", "CreateTrigStmt",
            "CreatePolicyStmt", "AlterPolicyStmt", "RuleStmt", "RenameStmt", "InsertStmt", "UpdateStmt",
            "DeleteStmt", "MergeStmt", "SelectStmt", "DoStmt", "CreateFunctionStmt", "ViewStmt", "CreateSeqStmt",
            "AlterSeqStmt", "CreateEnumStmt", "AlterEnumStmt", "CompositeTypeStmt", "CreateDomainStmt",
            "AlterDomainStmt", "CreateSchemaStmt", "CreateExtensionStmt", "CommentStmt", "GrantStmt",
            "CreateStatsStmt", "AlterObjectSchemaStmt", "AlterOwnerStmt", "CopyStmt", "CallStmt"};
  }
  void check(std::string_view, const json&, RuleContext& ctx) const override {
    if (!ctx.ancestors().empty() || ctx.statement().do_depth > 0) return;
    if (!runs_long(ctx.statement(), ctx.state())) return;
    const FileState::HeldLock* held = nullptr;
    for (const auto& h : ctx.state().access_exclusive_held()) {
      // A relation the transaction dropped (and does not create again under its name) blocks only queries that
      // fail anyway: once the drop commits, a query that waited for its lock fails with "does not exist" (measured
      // in tests/test_lock_oracle.cpp); one re-created by name is read by the waiting queries after the commit.
      if (h.dropped && !created_later(ctx, h)) continue;
      held = &h;
      break;
    }
    if (held == nullptr) return;
    // One finding per lock: at the first statement after the one that took it that runs long.
    const auto& all = ctx.statements();
    for (std::size_t j = ctx.statement_index(); j-- > 0;) {
      if (all[j].span.begin == held->statement.begin) break;
      if (all[j].do_depth == 0 && runs_long(all[j], ctx.state())) return;
    }
    std::string rel = display(held->relation);
    ctx.report(ctx.statement_span(),
               "runs while an earlier " + held->why + " holds ACCESS EXCLUSIVE on " + rel,
               "Keep the statement that takes ACCESS EXCLUSIVE last in its transaction, or move the others to their "
               "own migration (or after a COMMIT).");
    // The first line states the hazard; the transaction and what it blocks are notes (issue 16).
    Note n;
    n.message = "ACCESS EXCLUSIVE on " + rel + " taken here";
    n.span = held->statement;
    auto& notes = ctx.findings().back().notes;
    notes.push_back(n);
    notes.push_back(Note{locking::transaction_phrase(ctx) + ": reads and writes on " + rel +
                             " stay blocked while this and every later statement of the transaction run",
                         std::nullopt});
  }
};
}  // namespace
std::unique_ptr<Rule> make_lock_held_across_statements() { return std::make_unique<LockHeldAcrossStatements>(); }
}  // namespace driftguard
