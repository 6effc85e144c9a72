#include "rules/destructive/drop_util.hpp"

namespace driftguard {
namespace {
class BanDropPolicy final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"ban-drop-policy", "destructive", Severity::warning,
                            "Dropping a row-level security policy changes which rows users can see and change"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"DropStmt"}; }
  void check(std::string_view, const json& node, RuleContext& ctx) const override {
    DropInfo d = read_drop(node, ctx);
    if (d.remove_type != "OBJECT_POLICY") return;
    auto names = destructive::dropped_existing(d, ObjKind::policy, ctx, true);
    if (names.empty()) return;
    ctx.report(ctx.statement_span(), destructive::drops("policy", "policies", names),
               "Create the replacement policy in the same migration (or check that the access change is "
               "intended), and test access as each role.");
    destructive::note_all_names(ctx, names);
    ctx.note("row-level security access changes (dropping a permissive policy hides the rows it granted; dropping a "
             "restrictive one exposes the rows it held back)");
  }
};
}  // namespace
std::unique_ptr<Rule> make_ban_drop_policy() { return std::make_unique<BanDropPolicy>(); }
}  // namespace driftguard
