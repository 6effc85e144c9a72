#include "rules/locking/lock_util.hpp"

namespace driftguard {
namespace {

class AddingFieldWithDefault final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"adding-field-with-default", "locking", Severity::warning,
                            "ADD COLUMN with a volatile default (any default before PostgreSQL 11) rewrites the "
                            "table under an exclusive lock"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"AlterTableStmt"}; }
  void check(std::string_view, const json& node, RuleContext& ctx) const override {
    const json& rel = field(unwrap(node), "relation");
    for_each_added_column(node, ctx, [&](const AlterCmd& c, const json& cd) {
      const json* d = column_constraint(cd, "CONSTR_DEFAULT");
      if (d == nullptr) return;
      const json& e = field(*d, "raw_expr");
      if (flag(field(e, "A_Const"), "isnull")) return;  // DEFAULT NULL changes nothing
      std::string why;
      if (ctx.settings().pg_version < 11) {
        why = "before PostgreSQL 11 every non-NULL default is written into each existing row";
      } else {
        std::string part = locking::volatile_part(e);
        if (part.empty()) return;
        why = "the default calls " + part +
              ", which is volatile or not a built-in known to be stable, so PostgreSQL computes it for each "
              "existing row";
      }
      ctx.report(ctx.alter_cmd_span(node, c.index),
                 "ADD COLUMN " + quote_ident(str(cd, "colname")) +
                     (ctx.settings().pg_version < 11 ? " with a default" : " with a volatile default") + " rewrites " +
                     rangevar_display(rel),
                 ctx.settings().pg_version < 11
                     ? "Add the column without a default, set the default in a second statement (it applies to new "
                       "rows only), then backfill existing rows in batches."
                     : "Add the column without a default (or with a constant or now()), then backfill the volatile "
                       "value in batches and set the default afterwards with ALTER COLUMN ... SET DEFAULT.");
      ctx.note(why);
      ctx.note("the rewrite " + cmd_lock_sentence(rel, *c.cmd));
    });
  }
};
}  // namespace
std::unique_ptr<Rule> make_adding_field_with_default() { return std::make_unique<AddingFieldWithDefault>(); }
}  // namespace driftguard
