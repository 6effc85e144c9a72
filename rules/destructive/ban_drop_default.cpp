#include "rules/common.hpp"

namespace driftguard {
namespace {
class BanDropDefault final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"ban-drop-default", "destructive", Severity::warning,
                            "Dropping a column default breaks inserts that relied on it"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"AlterTableStmt"}; }
  void check(std::string_view, const json& node, RuleContext& ctx) const override {
    const json& rel = existing_altered_table(node, ctx);
    if (rel.is_null()) return;
    for (const auto& c : alter_cmds(node)) {
      if (c.subtype != "AT_ColumnDefault" || field(*c.cmd, "def").is_object()) continue;
      ctx.report(ctx.alter_cmd_span(node, c.index),
                 "drops the default of column " + quote_ident(str(*c.cmd, "name")) + " of " +
                     rangevar_display(rel),
                 "Deploy code that always sets the column first, then drop the default; record it with "
                 "`-- driftguard-ignore ban-drop-default <reason>`.");
      ctx.note("inserts that leave the column out now fail (NOT NULL) or store NULL instead of the default");
    }
  }
};
}  // namespace
std::unique_ptr<Rule> make_ban_drop_default() { return std::make_unique<BanDropDefault>(); }
}  // namespace driftguard
