#include "rules/locking/timeout_rule.hpp"

namespace driftguard::locking {

std::vector<std::string_view> TimeoutRule::node_types() const {
  // Every statement kind the lock model gives a lock that can block reads or writes.
  return {"AlterTableStmt", "IndexStmt", "CreateStmt", "DropStmt", "TruncateStmt", "ReindexStmt", "ClusterStmt",
          "VacuumStmt", "RefreshMatViewStmt", "LockStmt", "CreateTrigStmt", "CreatePolicyStmt", "AlterPolicyStmt",
          "RuleStmt", "RenameStmt"};
}

void TimeoutRule::check(std::string_view type, const json& node, RuleContext& ctx) const {
  const FileState& s = ctx.state();
  // One hazard, one finding: a CREATE INDEX without CONCURRENTLY blocks writes for as long as it builds, and
  // require-concurrent-index-creation reports it with the fix that ends both the long lock and the queue behind
  // it (CONCURRENTLY takes SHARE UPDATE EXCLUSIVE, which no write waits for). While that rule is on, such builds
  // are its findings, and the timeout rules look at the other statements of the file.
  const bool builds_left = ctx.rule_enabled("require-concurrent-index-creation");
  if (builds_left && type == "IndexStmt" && !flag(node, "concurrent")) return;
  const int earlier = s.blocking_without_timeout(timeout_) - (builds_left ? s.index_builds_without_timeout(timeout_) : 0);
  if (!ctx.ancestors().empty() || s.timeout_set(timeout_) || earlier > 0) return;
  // statement_timeout bounds how long a statement runs: one that only changes the catalog ends as soon as it has
  // its lock (the lock wait is lock_timeout's).
  if (timeout_ == Timeout::statement && !reads_or_writes_every_row(ctx.statement())) return;
  // An ALTER TABLE reads or writes the rows of the table it alters (an added foreign key probes the referenced
  // table once per row of it): on a table that holds no data yet it ends at once, whatever it locks elsewhere.
  // ATTACH PARTITION scans the partition it names instead.
  if (timeout_ == Timeout::statement && type == "AlterTableStmt" && ctx.state().is_new_relation(field(node, "relation"))) {
    bool attaches = false;
    for (const auto& c : alter_cmds(node)) attaches = attaches || c.subtype == "AT_AttachPartition";
    if (!attaches) return;
  }
  for (const auto& l : existing_locks(ctx)) {
    if (!blocks_writes(l.mode)) continue;
    // The first line states the hazard; what takes the lock and what follows from it are notes (issue 16).
    ctx.report(ctx.statement_span(),
               "no " + setting_ + " set before " + std::string(lock_name(l.mode)) + " on " + lock_target(l),
               "Start the migration with SET " + setting_ + " = '" + value_ +
                   "' (or SET LOCAL inside the transaction), and retry the migration when it times out.",
               fix(ctx));
    auto& notes = ctx.findings().back().notes;
    notes.push_back(Note{l.why + " " + lock_sentence(l), std::nullopt});
    notes.push_back(Note{risk_, std::nullopt});
    return;
  }
}

std::optional<Fix> TimeoutRule::fix(const RuleContext& ctx) const {
  const auto& all = ctx.statements();
  const Statement* first = nullptr;
  std::size_t top_level = 0;
  for (const auto& st : all) {
    if (st.do_depth != 0) continue;
    if (!first) first = &st;
    ++top_level;
  }
  if (!first || first->approximate) return std::nullopt;
  // Runners that wrap a file once it has two statements: the SET would pull a lone statement into a transaction.
  Runner r = ctx.state().runner_transaction().runner;
  if (top_level == 1 && sends_file_as_one_query(r) && must_run_outside_transaction(*first)) {
    return std::nullopt;
  }
  std::string set = keyword_case(ctx, "SET ") + setting_ + " = '" + value_ + "';";
  // The file sets or resets the timeout before this statement: a SET at the top would be undone, so set it right
  // before the statement.
  for (std::size_t i = 0; i < ctx.statement_index(); ++i) {
    const json& b = unwrap(all[i].node);
    if (all[i].kind != "VariableSetStmt" || (str(b, "name") != setting_ && str(b, "kind") != "VAR_RESET_ALL")) continue;
    if (ctx.statement().do_depth != 0 || ctx.statement().approximate) return std::nullopt;
    std::size_t at = ctx.statement_span().begin;
    return Fix{"set " + setting_ + " before the statement", {Edit{Span{at, at}, set + "\n"}}};
  }
  std::string k = str(unwrap(first->node), "kind");
  if (first->kind == "TransactionStmt" && (k == "TRANS_STMT_BEGIN" || k == "TRANS_STMT_START")) {
    std::size_t at = ctx.after_statement(*first);
    return Fix{"set " + setting_ + " at the top of the file", {Edit{Span{at, at}, "\n" + set}}};
  }
  std::size_t at = first->span.begin;
  return Fix{"set " + setting_ + " at the top of the file", {Edit{Span{at, at}, set + "\n"}}};
}

}  // namespace driftguard::locking
