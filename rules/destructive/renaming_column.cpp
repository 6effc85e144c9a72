#include "rules/common.hpp"

namespace driftguard {
namespace {
class RenamingColumn final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"renaming-column", "destructive", Severity::error,
                            "Renaming a column breaks deployed code that still uses the old name"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"RenameStmt"}; }
  void check(std::string_view, const json& node, RuleContext& ctx) const override {
    const json& b = unwrap(node);
    if (str(b, "renameType") != "OBJECT_COLUMN") return;
    std::string rel_type = str(b, "relationType");
    const char* what = rel_type == "OBJECT_VIEW"              ? "view"
                       : rel_type == "OBJECT_MATVIEW"         ? "materialized view"
                       : rel_type == "OBJECT_FOREIGN_TABLE"   ? "foreign table"
                       : rel_type == "OBJECT_TABLE"           ? "table"
                                                              : nullptr;
    if (what == nullptr) return;
    const json& rel = field(b, "relation");
    if (!rel.is_object() || ctx.run().created_relation(rel)) return;
    ctx.report(ctx.statement_span(),
               "renames column " + quote_ident(str(b, "subname")) + " of " + what + " " + rangevar_display(rel) +
                   " to " + quote_ident(str(b, "newname")),
               "Add the new column, write to both and backfill, switch readers to the new column, then drop the old "
               "one in a later migration; or deploy code that accepts both names before renaming.");
    ctx.note("code that uses the old name fails from the moment the migration commits until the new code is deployed");
  }
};
}  // namespace
std::unique_ptr<Rule> make_renaming_column() { return std::make_unique<RenamingColumn>(); }
}  // namespace driftguard
