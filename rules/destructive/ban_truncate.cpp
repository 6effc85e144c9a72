#include "rules/destructive/drop_util.hpp"

namespace driftguard {
namespace {
class BanTruncate final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"ban-truncate", "destructive", Severity::error,
                            "TRUNCATE empties a table (and, with CASCADE, every table that references it)"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"TruncateStmt"}; }
  void check(std::string_view, const json& node, RuleContext& ctx) const override {
    const json& b = unwrap(node);
    std::vector<std::string> names;
    for (const auto& r : field(b, "relations")) {
      const json& rv = unwrap(r);
      if (!rv.is_object() || ctx.run().created_relation(rv)) continue;
      names.push_back(rangevar_display(rv));
    }
    if (names.empty()) return;
    bool many = names.size() > 1;
    bool cascade = str(b, "behavior") == "DROP_CASCADE";
    ctx.report(ctx.statement_span(), "truncates table" + std::string(many ? "s " : " ") + join_names_short(names),
               cascade ? "Delete the rows you mean to remove with DELETE ... WHERE; drop CASCADE and truncate the "
                         "referencing tables by name if they must be emptied too."
                       : "Delete the rows you mean to remove with DELETE ... WHERE; if the table really must be "
                         "emptied, record why with `-- driftguard-ignore ban-truncate <reason>`.");
    destructive::note_all_names(ctx, names);
    ctx.note("every row is deleted, and once committed only a backup brings them back");
    if (cascade) ctx.note("CASCADE also empties every table with a foreign key to " + std::string(many ? "them" : "it"));
  }
};
}  // namespace
std::unique_ptr<Rule> make_ban_truncate() { return std::make_unique<BanTruncate>(); }
}  // namespace driftguard
