#include "rules/destructive/drop_util.hpp"

namespace driftguard {
namespace {
class BanDropConstraint final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"ban-drop-constraint", "destructive", Severity::warning,
                            "Dropping a constraint stops PostgreSQL from enforcing it on the rows"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"AlterTableStmt"}; }
  void check(std::string_view, const json& node, RuleContext& ctx) const override {
    const json& rel = existing_altered_table(node, ctx);
    if (rel.is_null()) return;
    std::string table = rangevar_key(rel);
    auto cmds = alter_cmds(node);
    for (const auto& c : cmds) {
      if (c.subtype != "AT_DropConstraint") continue;
      if (destructive::table_dropped_later(ctx, rangevar_key(rel))) return;
      std::string name = str(*c.cmd, "name");
      bool cascade = str(*c.cmd, "behavior") == "DROP_CASCADE";
      // Added earlier in this file: it guarded no existing rows yet.
      if (destructive::table_cmd_elsewhere(ctx, false, table, "AT_AddConstraint", name)) continue;
      if (!cascade) {
        // Added back under the same name, in this statement or later in the file: it is replaced, not removed.
        bool readded = false;
        for (const auto& a : cmds) {
          readded = readded || (a.index > c.index && a.subtype == "AT_AddConstraint" &&
                                str(field(field(*a.cmd, "def"), "Constraint"), "conname") == name);
        }
        if (readded || destructive::table_cmd_elsewhere(ctx, true, table, "AT_AddConstraint", name)) continue;
      }
      ctx.report(ctx.alter_cmd_span(node, c.index), "drops constraint " + quote_ident(name) + " on " + rangevar_display(rel),
                 "Make sure the application enforces the rule itself (or no longer needs it) before dropping the "
                 "constraint; to change it, add the new constraint under the same name in the same migration.");
      ctx.note("the rows it kept valid (uniqueness, references, checks) are no longer enforced");
      if (cascade) ctx.note("CASCADE also drops the foreign keys that reference it");
    }
  }
};
}  // namespace
std::unique_ptr<Rule> make_ban_drop_constraint() { return std::make_unique<BanDropConstraint>(); }
}  // namespace driftguard
