#include "rules/common.hpp"

namespace driftguard {
namespace {

// A DEFAULT other than DEFAULT NULL.
bool has_default(const json& column_def) {
  const json* d = column_constraint(column_def, "CONSTR_DEFAULT");
  if (d == nullptr) return false;
  const json& e = field(*d, "raw_expr");
  return !flag(field(e, "A_Const"), "isnull");
}

class AddingRequiredField final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"adding-required-field", "breaking", Severity::error,
                            "Adding a NOT NULL column without a default fails on a non-empty table and breaks "
                            "existing inserts"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"AlterTableStmt"}; }
  void check(std::string_view, const json& node, RuleContext& ctx) const override {
    const json& rel = existing_altered_table(node, ctx);
    if (rel.is_null()) return;
    // A foreign table stores no rows and PostgreSQL does not enforce its constraints (CREATE FOREIGN TABLE docs).
    if (str(unwrap(node), "objtype") == "OBJECT_FOREIGN_TABLE") return;
    for (const auto& c : alter_cmds(node)) {
      if (c.subtype != "AT_AddColumn") continue;
      const json& cd = field(field(*c.cmd, "def"), "ColumnDef");
      if (!cd.is_object()) continue;
      bool not_null = column_constraint(cd, "CONSTR_NOTNULL") != nullptr;
      bool primary = column_constraint(cd, "CONSTR_PRIMARY") != nullptr;
      if (!not_null && !primary) continue;
      if (has_default(cd) || column_constraint(cd, "CONSTR_IDENTITY") != nullptr ||
          column_constraint(cd, "CONSTR_GENERATED") != nullptr || is_serial(field(cd, "typeName"))) {
        continue;
      }
      std::string what = not_null ? "NOT NULL" : "PRIMARY KEY (so NOT NULL)";
      ctx.report(ctx.alter_cmd_span(node, c.index),
                 "adds " + what + " column " + quote_ident(str(cd, "colname")) + " to " + rangevar_display(rel) +
                     " without a default",
                 "Add the column as nullable (or with a DEFAULT), backfill it, deploy code that writes it, then set "
                 "NOT NULL in a later migration (validate a CHECK (col IS NOT NULL) NOT VALID constraint first to "
                 "avoid a long lock).");
      ctx.note("the statement fails if the table has rows, and inserts from code that does not know the column fail");
    }
  }
};
}  // namespace
std::unique_ptr<Rule> make_adding_required_field() { return std::make_unique<AddingRequiredField>(); }
}  // namespace driftguard
