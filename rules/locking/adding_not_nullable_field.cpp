#include "rules/locking/lock_util.hpp"

namespace driftguard {
namespace {
class AddingNotNullableField final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"adding-not-nullable-field", "locking", Severity::warning,
                            "SET NOT NULL scans the whole table under an exclusive lock, unless a validated CHECK "
                            "(col IS NOT NULL) exists (PostgreSQL 12+)"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"AlterTableStmt"}; }
  void check(std::string_view, const json& node, RuleContext& ctx) const override {
    const json& rel = existing_altered_table(node, ctx);
    if (rel.is_null()) return;
    bool pg12 = ctx.settings().pg_version >= 12;
    for (const auto& c : alter_cmds(node)) {
      if (c.subtype != "AT_SetNotNull") continue;
      std::string column = str(*c.cmd, "name");
      if (pg12 && ctx.run().has_not_null_check(rangevar_key(rel), column)) continue;
      ctx.report(ctx.alter_cmd_span(node, c.index),
                 "SET NOT NULL on " + quote_ident(column) + " of " + rangevar_display(rel) + " scans every row under " +
                     std::string(lock_name(alter_cmd_lock(*c.cmd))),
                 pg12 ? "First add CHECK (" + quote_ident(column) +
                            " IS NOT NULL) NOT VALID, then VALIDATE CONSTRAINT it (a scan that does not block reads "
                            "or writes), then SET NOT NULL (PostgreSQL uses the validated check and skips the scan), "
                            "and drop the check."
                      : std::string("Before PostgreSQL 12 SET NOT NULL always scans: keep a validated CHECK (col IS "
                                    "NOT NULL) constraint instead of NOT NULL, or run it when the table can be "
                                    "locked."));
      ctx.note("PostgreSQL scans every row to check it, and " + cmd_lock_sentence(rel, *c.cmd));
    }
  }
};
}  // namespace
std::unique_ptr<Rule> make_adding_not_nullable_field() { return std::make_unique<AddingNotNullableField>(); }
}  // namespace driftguard
