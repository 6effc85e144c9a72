#include "rules/locking/constraint_util.hpp"

namespace driftguard {
namespace {
class ConstraintMissingNotValid final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"constraint-missing-not-valid", "locking", Severity::warning,
                            "ADD CHECK or FOREIGN KEY (or ADD COLUMN ... CHECK) on an existing table without NOT VALID "
                            "checks every row while holding its lock"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"AlterTableStmt"}; }
  void check(std::string_view, const json& node, RuleContext& ctx) const override {
    if (!ctx.ancestors().empty()) return;
    const json& table = existing_altered_table(node, ctx);
    if (table.is_null()) return;
    auto lock = locking::existing_lock_on(ctx, rangevar_parts(table));
    if (!lock) return;
    for (const auto& cmd : alter_cmds(node)) {
      if (cmd.subtype == "AT_AddColumn") {
        // A column constraint cannot be NOT VALID: ADD COLUMN ... CHECK checks every row under ADD COLUMN's lock
        // (measured: "verifying table"), whatever the column's default.
        const json& cd = field(field(*cmd.cmd, "def"), "ColumnDef");
        if (!cd.is_object() || column_constraint(cd, "CONSTR_CHECK") == nullptr) continue;
        ctx.report(ctx.alter_cmd_span(node, cmd.index),
                   "ADD COLUMN " + quote_ident(str(cd, "colname")) + " with a CHECK checks every existing row",
                   "Add the column without the CHECK, then ADD CONSTRAINT ... CHECK (...) NOT VALID and run ALTER "
                   "TABLE ... VALIDATE CONSTRAINT in a separate transaction: validation takes only SHARE UPDATE "
                   "EXCLUSIVE, so reads and writes go on.");
        // The first line states the hazard, the lock it runs under is a note (issue 16).
        ctx.findings().back().notes.push_back(Note{"while it " + lock_sentence(*lock), std::nullopt});
        continue;
      }
      const json& c = field(field(*cmd.cmd, "def"), "Constraint");
      std::string t = str(c, "contype");
      if (cmd.subtype != "AT_AddConstraint" || (t != "CONSTR_CHECK" && t != "CONSTR_FOREIGN") ||
          flag(c, "skip_validation")) {
        continue;
      }
      std::string locks = lock_sentence(*lock);
      if (t == "CONSTR_FOREIGN") {
        auto ref = rangevar_parts(field(c, "pktable"));
        if (qualified_key(ref) != qualified_key(lock->relation)) {
          if (auto l = locking::existing_lock_on(ctx, ref)) locks += ", and " + lock_sentence(*l);
        }
      }
      ctx.report(ctx.alter_cmd_span(node, cmd.index),
                 locking::add_constraint(c, table) + " without NOT VALID checks every existing row",
                 "Add it NOT VALID (new rows are checked at once), then run ALTER TABLE ... VALIDATE CONSTRAINT in a "
                 "separate transaction: validation takes only SHARE UPDATE EXCLUSIVE (and ROW SHARE on a referenced "
                 "table), so reads and writes go on.",
                 locking::not_valid_fix(ctx, node, cmd.index, c));
      ctx.findings().back().notes.push_back(Note{"while it " + locks, std::nullopt});
    }
  }
};
}  // namespace
std::unique_ptr<Rule> make_constraint_missing_not_valid() { return std::make_unique<ConstraintMissingNotValid>(); }
}  // namespace driftguard
