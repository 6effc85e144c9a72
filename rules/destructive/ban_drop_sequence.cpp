#include "rules/destructive/drop_util.hpp"

namespace driftguard {
namespace {
class BanDropSequence final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"ban-drop-sequence", "destructive", Severity::error,
                            "Dropping a sequence loses its position and breaks the defaults that use it"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"DropStmt"}; }
  void check(std::string_view, const json& node, RuleContext& ctx) const override {
    DropInfo d = read_drop(node, ctx);
    if (d.remove_type != "OBJECT_SEQUENCE") return;
    // A sequence created again later still starts over: its position is lost, so re-creation does not count.
    auto names = destructive::dropped_existing(d, ObjKind::relation, ctx, false);
    if (names.empty()) return;
    std::string it = names.size() > 1 ? "them" : "it";
    ctx.report(ctx.statement_span(), destructive::drops("sequence", "sequences", names),
               "Remove the defaults and code that use the sequence first and deploy, then drop it in a later "
               "migration.");
    destructive::note_all_names(ctx, names);
    ctx.note(std::string(names.size() > 1 ? "their current values are" : "its current value is") +
             " lost, and column defaults (nextval) and code that use " + it + " fail");
    if (d.cascade) ctx.note("CASCADE also drops the column defaults that use " + it);
  }
};
}  // namespace
std::unique_ptr<Rule> make_ban_drop_sequence() { return std::make_unique<BanDropSequence>(); }
}  // namespace driftguard
