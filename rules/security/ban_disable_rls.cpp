#include "rules/common.hpp"

namespace driftguard {
namespace {
class BanDisableRls final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"ban-disable-rls", "security", Severity::warning,
                            "DISABLE (or NO FORCE) ROW LEVEL SECURITY on an existing table exposes rows its policies "
                            "protected"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"AlterTableStmt"}; }
  void check(std::string_view, const json& node, RuleContext& ctx) const override {
    const json& rel = existing_altered_table(node, ctx);
    if (rel.is_null()) return;
    for (const auto& c : alter_cmds(node)) {
      std::string msg;
      std::string why;
      if (c.subtype == "AT_DisableRowSecurity") {
        msg = "disables row level security on " + rangevar_display(rel);
        why = "its policies stop applying, and every role with table privileges sees and changes all rows";
      } else if (c.subtype == "AT_NoForceRowSecurity") {
        msg = "turns off FORCE ROW LEVEL SECURITY on " + rangevar_display(rel);
        why = "the table's owner (and code running as the owner, e.g. SECURITY DEFINER functions) bypasses its "
              "policies again";
      } else {
        continue;
      }
      ctx.report(ctx.alter_cmd_span(node, c.index), msg,
                 "Keep row level security on and change the policies instead (CREATE POLICY / ALTER POLICY); if "
                 "the table really must be public, suppress this with the reason.");
      ctx.note(why);
    }
  }
};
}  // namespace
std::unique_ptr<Rule> make_ban_disable_rls() { return std::make_unique<BanDisableRls>(); }
}  // namespace driftguard
