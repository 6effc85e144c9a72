#include "rules/locking/constraint_util.hpp"

namespace driftguard {
namespace {
class AddingExclusionConstraint final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"adding-exclusion-constraint", "locking", Severity::warning,
                            "ADD EXCLUDE on an existing table builds its index and checks every row under ACCESS "
                            "EXCLUSIVE"};
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
      if (cmd.subtype != "AT_AddConstraint" || str(c, "contype") != "CONSTR_EXCLUSION") continue;
      ctx.report(ctx.alter_cmd_span(node, cmd.index),
                 locking::add_constraint(c, table) + " builds its index under " +
                     std::string(lock_name(lock->mode)),
                 "There is no online way to add an exclusion constraint (no NOT VALID, no USING INDEX): add it when "
                 "the table is small or traffic can stop, or enforce the rule in a new table.");
      ctx.note("it builds the index and checks every row while it " + lock_sentence(*lock));
    }
  }
};
}  // namespace
std::unique_ptr<Rule> make_adding_exclusion_constraint() { return std::make_unique<AddingExclusionConstraint>(); }
}  // namespace driftguard
