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
    auto locks_with_referenced = [&](const json& c) {
      std::string locks = lock_sentence(*lock);
      auto ref = rangevar_parts(field(c, "pktable"));
      if (qualified_key(ref) != qualified_key(lock->relation)) {
        if (auto l = locking::existing_lock_on(ctx, ref)) locks += ", and " + lock_sentence(*l);
      }
      return locks;
    };
    // Does the statement add a column with a default? Then foreign keys of added columns are validated.
    bool validated = false;
    for (const auto& cmd : alter_cmds(node)) {
      const json& cd = field(field(*cmd.cmd, "def"), "ColumnDef");
      if (cmd.subtype != "AT_AddColumn" || !cd.is_object()) continue;
      validated = validated || column_constraint(cd, "CONSTR_DEFAULT") != nullptr ||
                  column_constraint(cd, "CONSTR_GENERATED") != nullptr || is_serial(field(cd, "typeName"));
    }
    for (const auto& cmd : alter_cmds(node)) {
      if (cmd.subtype == "AT_AddColumn") {
        // ADD COLUMN ... REFERENCES (a column constraint cannot be NOT VALID). PostgreSQL skips the check of
        // existing rows when every column the statement adds starts out NULL; once one has a default (serial and
        // generated columns included) it checks every row while holding ADD COLUMN's ACCESS EXCLUSIVE
        // (transformAlterTableStmt: "If the column has a non-null default, we can't skip validation").
        const json& cd = field(field(*cmd.cmd, "def"), "ColumnDef");
        const json* c = cd.is_object() ? column_constraint(cd, "CONSTR_FOREIGN") : nullptr;
        if (c == nullptr || !validated) continue;
        ctx.report(ctx.alter_cmd_span(node, cmd.index),
                   "ADD COLUMN " + quote_ident(str(cd, "colname")) + " with REFERENCES " +
                       display(rangevar_parts(field(*c, "pktable"))) + " checks every row of " +
                       display(lock->relation),
                   "Add the column without REFERENCES, then add the foreign key as a table constraint NOT VALID and "
                   "VALIDATE CONSTRAINT it in a separate transaction: validation takes SHARE UPDATE EXCLUSIVE on the "
                   "table and ROW SHARE on the referenced one, so writes go on.");
        ctx.note("a column added by this statement has a default, so the foreign key is validated");
        ctx.note("it " + locks_with_referenced(*c));
        continue;
      }
      const json& c = field(field(*cmd.cmd, "def"), "Constraint");
      if (cmd.subtype != "AT_AddConstraint" || str(c, "contype") != "CONSTR_FOREIGN" || flag(c, "skip_validation")) {
        continue;
      }
      // One hazard, one finding: constraint-missing-not-valid reports it too, with both locks and the NOT VALID fix.
      if (ctx.rule_enabled("constraint-missing-not-valid")) continue;
      ctx.report(ctx.alter_cmd_span(node, cmd.index),
                 locking::add_constraint(c, table) + " checks every existing row",
                 "Add the foreign key NOT VALID, then VALIDATE CONSTRAINT in a separate transaction (the fix of "
                 "constraint-missing-not-valid does both): validation then takes SHARE UPDATE EXCLUSIVE on the table "
                 "and ROW SHARE on the referenced one, so writes go on.");
      ctx.note("it " + locks_with_referenced(c));
    }
  }
};
}  // namespace
std::unique_ptr<Rule> make_adding_foreign_key_constraint() { return std::make_unique<AddingForeignKeyConstraint>(); }
}  // namespace driftguard
