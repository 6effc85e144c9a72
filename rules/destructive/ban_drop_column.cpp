#include "rules/destructive/drop_util.hpp"

namespace driftguard {
namespace {
class BanDropColumn final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"ban-drop-column", "destructive", Severity::error,
                            "Dropping a column deletes its data and breaks code that still uses it"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"AlterTableStmt"}; }
  void check(std::string_view, const json& node, RuleContext& ctx) const override {
    const json& rel = existing_altered_table(node, ctx);
    if (rel.is_null()) return;
    bool foreign = str(node, "objtype") == "OBJECT_FOREIGN_TABLE";
    std::string table = rangevar_display(rel);
    for (const auto& c : alter_cmds(node)) {
      if (c.subtype != "AT_DropColumn") continue;
      if (destructive::table_dropped_later(ctx, rangevar_key(rel))) return;
      std::string col = str(*c.cmd, "name");
      // A column added (without IF NOT EXISTS) earlier in this file holds no existing data.
      if (destructive::table_cmd_elsewhere(ctx, false, rangevar_key(rel), "AT_AddColumn", col)) continue;
      std::string msg = "drops column " + quote_ident(col) + " from " + (foreign ? "foreign table " : "table ") + table;
      ctx.report(ctx.alter_cmd_span(node, c.index), msg,
                 "Stop reading and writing the column in code first and deploy; then drop it in a later migration "
                 "(keep a backup).");
      ctx.note(foreign ? "code that still reads or writes it fails"
                       : "its data is deleted and code that still reads or writes it fails");
      if (str(*c.cmd, "behavior") == "DROP_CASCADE") ctx.note("CASCADE also drops the views and constraints that depend on it");
    }
  }
};
}  // namespace
std::unique_ptr<Rule> make_ban_drop_column() { return std::make_unique<BanDropColumn>(); }
}  // namespace driftguard
