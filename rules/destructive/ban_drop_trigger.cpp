#include "rules/destructive/drop_util.hpp"

namespace driftguard {
namespace {
class BanDropTrigger final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"ban-drop-trigger", "destructive", Severity::warning,
                            "Dropping a trigger silently stops what it did on every write"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"DropStmt"}; }
  void check(std::string_view, const json& node, RuleContext& ctx) const override {
    DropInfo d = read_drop(node, ctx);
    if (d.remove_type != "OBJECT_TRIGGER") return;
    auto names = destructive::dropped_existing(d, ObjKind::trigger, ctx, true);
    if (names.empty()) return;
    ctx.report(ctx.statement_span(), destructive::drops("trigger", "triggers", names),
               "Move the trigger's work elsewhere first (or check that it is no longer needed); to change it, "
               "create it again in the same migration or use CREATE OR REPLACE TRIGGER.");
    destructive::note_all_names(ctx, names);
    ctx.note("what it did on each write (audit rows, derived columns, checks, notifications) silently stops happening");
  }
};
}  // namespace
std::unique_ptr<Rule> make_ban_drop_trigger() { return std::make_unique<BanDropTrigger>(); }
}  // namespace driftguard
