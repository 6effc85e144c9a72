#include "rules/destructive/rename.hpp"

namespace driftguard {
namespace {
class RenamingTable final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"renaming-table", "destructive", Severity::error,
                            "Renaming a table breaks deployed code that still uses the old name"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"RenameStmt"}; }
  void check(std::string_view, const json& node, RuleContext& ctx) const override {
    const json& b = unwrap(node);
    std::string rt = str(b, "renameType");
    if (rt != "OBJECT_TABLE" && rt != "OBJECT_FOREIGN_TABLE") return;
    const json& rel = field(b, "relation");
    if (!rel.is_object() || ctx.run().created_relation(rel)) return;
    // The old name is given to a new table or view later in the file: code that uses it keeps working.
    if (rename::created_later(ctx, ObjKind::relation, rangevar_key(rel))) return;
    auto parts = rangevar_parts(rel);
    std::string old_name = display(parts);
    parts.back() = str(b, "newname");
    std::string new_name = display(parts);
    ctx.report(ctx.statement_span(),
               "renames table " + old_name + " to " + quote_ident(str(b, "newname")),
               "Keep the old name working: rename, then create a view with the old name (`CREATE VIEW " + old_name +
                   " AS SELECT * FROM " + new_name +
                   "`) and drop it once no deployed code uses it; or add the new table, write to both, and switch "
                   "readers over before removing the old one.");
    ctx.note("code that uses the old name fails from the moment the migration commits until the new code is deployed");
  }
};
}  // namespace
std::unique_ptr<Rule> make_renaming_table() { return std::make_unique<RenamingTable>(); }
}  // namespace driftguard
