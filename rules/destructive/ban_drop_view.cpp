#include "rules/destructive/drop_util.hpp"

namespace driftguard {
namespace {
class BanDropView final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"ban-drop-view", "destructive", Severity::error,
                            "Dropping a view or materialized view breaks the code that reads it"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"DropStmt"}; }
  void check(std::string_view, const json& node, RuleContext& ctx) const override {
    DropInfo d = read_drop(node, ctx);
    bool mat = d.remove_type == "OBJECT_MATVIEW";
    if (!mat && d.remove_type != "OBJECT_VIEW") return;
    auto names = destructive::dropped_existing(d, ObjKind::relation, ctx, true);
    if (names.empty()) return;
    bool many = names.size() > 1;
    std::string msg = mat ? destructive::drops("materialized view", "materialized views", names)
                          : destructive::drops("view", "views", names);
    ctx.report(ctx.statement_span(), msg,
               mat ? "Stop reading the materialized view in code first and deploy, then drop it in a later migration."
                   : "To change a view, use CREATE OR REPLACE VIEW (new columns go at the end); to remove it, stop "
                     "reading it in code first and deploy, then drop it in a later migration.");
    destructive::note_all_names(ctx, names);
    const std::string it = many ? "them" : "it";
    ctx.note(mat ? "the rows stored in " + it + " are deleted and code that still reads " + it + " fails"
                 : "queries and code that still read " + it + " fail");
    if (d.cascade) ctx.note("CASCADE also drops the views that depend on " + it);
  }
};
}  // namespace
std::unique_ptr<Rule> make_ban_drop_view() { return std::make_unique<BanDropView>(); }
}  // namespace driftguard
