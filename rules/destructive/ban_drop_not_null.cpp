#include "rules/common.hpp"

namespace driftguard {
namespace {
class BanDropNotNull final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"ban-drop-not-null", "destructive", Severity::warning,
                            "Dropping NOT NULL lets NULLs into a column that clients assume always has a value"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"AlterTableStmt"}; }
  void check(std::string_view, const json& node, RuleContext& ctx) const override {
    const json& rel = existing_altered_table(node, ctx);
    if (rel.is_null()) return;
    for (const auto& c : alter_cmds(node)) {
      if (c.subtype != "AT_DropNotNull") continue;
      ctx.report(ctx.alter_cmd_span(node, c.index),
                 "drops NOT NULL from column " + quote_ident(str(*c.cmd, "name")) + " of " + rangevar_display(rel),
                 "Make sure every reader handles NULL in this column (deploy that first), then drop the constraint; "
                 "record it with `-- driftguard-ignore ban-drop-not-null <reason>`.");
      ctx.note("clients that assume it always has a value now get NULLs");
    }
  }
};
}  // namespace
std::unique_ptr<Rule> make_ban_drop_not_null() { return std::make_unique<BanDropNotNull>(); }
}  // namespace driftguard
