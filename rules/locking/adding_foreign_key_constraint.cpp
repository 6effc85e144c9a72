#include "rules/locking/constraint_util.hpp"

namespace driftguard {
namespace {
class AddingForeignKeyConstraint final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"adding-foreign-key-constraint", "locking", Severity::warning,
                            "ADD FOREIGN KEY on an existing table locks it and the referenced table while every row "
                            "is checked"};
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
      const json& c = field(field(*cmd.cmd, "def"), "Constraint");
      if (cmd.subtype != "AT_AddConstraint" || str(c, "contype") != "CONSTR_FOREIGN" || flag(c, "skip_validation")) {
        continue;
      }
      std::string locks = lock_sentence(*lock);
      auto ref = rangevar_parts(field(c, "pktable"));
      if (qualified_key(ref) != qualified_key(lock->relation)) {
        if (auto l = locking::existing_lock_on(ctx, ref)) locks += ", and " + lock_sentence(*l);
      }
      ctx.report(ctx.alter_cmd_span(node, cmd.index),
                 "adding " + locking::constraint_label(c) + " checks every row of " + display(lock->relation) +
                     ": it " + locks,
                 "Add the foreign key NOT VALID, then VALIDATE CONSTRAINT in a separate transaction (the fix of "
                 "constraint-missing-not-valid does both): validation then takes SHARE UPDATE EXCLUSIVE on the table "
                 "and ROW SHARE on the referenced one, so writes go on.");
    }
  }
};
}  // namespace
std::unique_ptr<Rule> make_adding_foreign_key_constraint() { return std::make_unique<AddingForeignKeyConstraint>(); }
}  // namespace driftguard
