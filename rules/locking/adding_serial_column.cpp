#include "rules/locking/lock_util.hpp"

namespace driftguard {
namespace {
class AddingSerialColumn final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"adding-serial-column", "locking", Severity::warning,
                            "Adding a serial or identity column to an existing table rewrites it under an exclusive "
                            "lock"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"AlterTableStmt"}; }
  void check(std::string_view, const json& node, RuleContext& ctx) const override {
    const json& rel = field(unwrap(node), "relation");
    for_each_added_column(node, ctx, [&](const AlterCmd& c, const json& cd) {
      const json& tn = field(cd, "typeName");
      std::string what;
      if (is_serial(tn)) {
        what = type_base(tn);
      } else if (column_constraint(cd, "CONSTR_IDENTITY") != nullptr) {
        what = "GENERATED ... AS IDENTITY";
      } else {
        return;
      }
      ctx.report(ctx.alter_cmd_span(node, c.index),
                 "ADD COLUMN " + quote_ident(str(cd, "colname")) + " " + what + " rewrites " + rangevar_display(rel),
                 "Add a nullable bigint column, create a sequence and set the column's default to nextval() (new "
                 "rows), backfill existing rows in batches, then add NOT NULL via a validated CHECK constraint.");
      ctx.note("PostgreSQL draws a sequence value for every existing row, rewriting the table and its indexes");
      ctx.note("the rewrite " + cmd_lock_sentence(rel, *c.cmd));
    });
  }
};
}  // namespace
std::unique_ptr<Rule> make_adding_serial_column() { return std::make_unique<AddingSerialColumn>(); }
}  // namespace driftguard
