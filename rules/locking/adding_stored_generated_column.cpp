#include "rules/locking/lock_util.hpp"

namespace driftguard {
namespace {
class AddingStoredGeneratedColumn final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"adding-stored-generated-column", "locking", Severity::warning,
                            "ADD COLUMN ... GENERATED ALWAYS AS (...) STORED rewrites the table under an exclusive "
                            "lock"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"AlterTableStmt"}; }
  void check(std::string_view, const json& node, RuleContext& ctx) const override {
    const json& rel = field(unwrap(node), "relation");
    for_each_added_column(node, ctx, [&](const AlterCmd& c, const json& cd) {
      if (column_constraint(cd, "CONSTR_GENERATED") == nullptr) return;
      ctx.report(ctx.alter_cmd_span(node, c.index),
                 "ADD COLUMN " + quote_ident(str(cd, "colname")) + " GENERATED ... STORED rewrites " +
                     rangevar_display(rel),
                 "Add a plain nullable column, fill it for new rows with a trigger, backfill existing rows in "
                 "batches, and compute it in queries or views if it need not be stored.");
      ctx.note("PostgreSQL computes it for every existing row, rewriting the table and its indexes");
      ctx.note("the rewrite " + cmd_lock_sentence(rel, *c.cmd));
    });
  }
};
}  // namespace
std::unique_ptr<Rule> make_adding_stored_generated_column() {
  return std::make_unique<AddingStoredGeneratedColumn>();
}
}  // namespace driftguard
