#include "rules/destructive/drop_util.hpp"

namespace driftguard {
namespace {
class BanDropIndex final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"ban-drop-index", "destructive", Severity::warning,
                            "Dropping an index slows the queries that used it; a unique one lets duplicates in"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"DropStmt"}; }
  void check(std::string_view, const json& node, RuleContext& ctx) const override {
    DropInfo d = read_drop(node, ctx);
    if (d.remove_type != "OBJECT_INDEX") return;
    auto names = destructive::dropped_existing(d, ObjKind::relation, ctx, true);
    if (names.empty()) return;
    std::string it = names.size() > 1 ? "them" : "it";
    ctx.report(ctx.statement_span(), destructive::drops("index", "indexes", names),
               "Check that no query needs the index (pg_stat_user_indexes.idx_scan) and that no uniqueness depends "
               "on it; to rebuild it, create the new index under the same name in the same migration.");
    destructive::note_all_names(ctx, names);
    ctx.note("queries that used " + it + " get slower, and if " + (names.size() > 1 ? "one is" : "it is") +
             " unique, duplicate rows can be inserted");
  }
};
}  // namespace
std::unique_ptr<Rule> make_ban_drop_index() { return std::make_unique<BanDropIndex>(); }
}  // namespace driftguard
