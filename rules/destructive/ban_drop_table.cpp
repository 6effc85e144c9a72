#include "rules/destructive/drop_util.hpp"

namespace driftguard {
namespace {
class BanDropTable final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"ban-drop-table", "destructive", Severity::error,
                            "Dropping a table deletes it and all of its rows"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"DropStmt"}; }
  void check(std::string_view, const json& node, RuleContext& ctx) const override {
    DropInfo d = read_drop(node, ctx);
    if (d.remove_type != "OBJECT_TABLE" && d.remove_type != "OBJECT_FOREIGN_TABLE") return;
    auto names = existing_targets(d);
    if (names.empty()) return;
    const bool foreign = d.remove_type == "OBJECT_FOREIGN_TABLE";
    const std::string them = names.size() > 1 ? "them" : "it";
    // A foreign table's rows live on the remote server: dropping it deletes none of them.
    ctx.report(ctx.statement_span(),
               std::string(foreign ? "drops foreign table" : "drops table") + (names.size() > 1 ? "s " : " ") +
                   join_names_short(names),
               "Stop using the table in code first, deploy, then drop it in a later migration (keep a backup).");
    destructive::note_all_names(ctx, names);
    ctx.note(foreign ? "the remote data stays, but code that still reads " + them + " fails"
                     : "every row is deleted and code that still reads " + them + " fails");
    if (d.cascade) ctx.note("CASCADE also drops the views and foreign keys that depend on it");
  }
};
}  // namespace
std::unique_ptr<Rule> make_ban_drop_table() { return std::make_unique<BanDropTable>(); }
}  // namespace driftguard
