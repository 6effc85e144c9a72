#include "rules/locking/constraint_util.hpp"

namespace driftguard {
namespace {
class ValidateConstraintInSameTransaction final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"validate-constraint-in-same-transaction", "locking", Severity::warning,
                            "VALIDATE CONSTRAINT in the transaction that added the constraint NOT VALID: the ADD's "
                            "lock is still held during the scan"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"AlterTableStmt"}; }
  void check(std::string_view, const json& node, RuleContext& ctx) const override {
    if (!ctx.ancestors().empty()) return;
    const json& table = existing_altered_table(node, ctx);
    if (table.is_null()) return;
    for (const auto& cmd : alter_cmds(node)) {
      if (cmd.subtype != "AT_ValidateConstraint") continue;
      std::string name = str(*cmd.cmd, "name");
      auto added = ctx.state().not_valid_in_transaction(rangevar_key(table) + "." + name);
      if (!added) continue;
      // The lock the ADD took on the table, which the transaction still holds.
      LockTaken held{rangevar_parts(table), LockMode::access_exclusive, "ALTER TABLE"};
      for (const auto& st : ctx.statements()) {
        if (st.span.begin != added->begin) continue;
        for (const auto& l : locks_of(st.node)) {
          if (qualified_key(l.relation) == rangevar_key(table)) held = l;
        }
      }
      ctx.report(ctx.alter_cmd_span(node, cmd.index),
                 "VALIDATE CONSTRAINT " + quote_ident(name) + " scans under the lock its ADD took",
                 "Commit between the two: validate in a later migration (or after the COMMIT), where validation "
                 "takes only SHARE UPDATE EXCLUSIVE.");
      Note n;
      n.message = "added NOT VALID here";
      n.span = *added;
      ctx.findings().back().notes.push_back(n);
      ctx.note("it runs " + locking::transaction_phrase(ctx) + ", the one that added it NOT VALID: the ADD " +
               lock_sentence(held) + ", so the validation scan runs under that lock");
    }
  }
};
}  // namespace
std::unique_ptr<Rule> make_validate_constraint_in_same_transaction() {
  return std::make_unique<ValidateConstraintInSameTransaction>();
}
}  // namespace driftguard
