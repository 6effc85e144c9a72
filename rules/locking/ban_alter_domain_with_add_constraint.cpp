#include "rules/locking/lock_model.hpp"
#include "rules/common.hpp"

namespace driftguard {
namespace {
class BanAlterDomainWithAddConstraint final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"ban-alter-domain-with-add-constraint", "locking", Severity::warning,
                            "ALTER DOMAIN ... ADD CONSTRAINT (without NOT VALID) checks every column of the domain "
                            "while blocking writes to their tables"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"AlterDomainStmt"}; }
  void check(std::string_view, const json& node, RuleContext& ctx) const override {
    const json& b = unwrap(node);
    if (str(b, "subtype") != "C") return;
    const json& con = field(field(b, "def"), "Constraint");
    if (flag(con, "skip_validation")) return;  // NOT VALID: existing rows are not checked
    // A domain created earlier in the file is used only by columns this migration added: no existing rows to scan.
    if (ctx.run().created(ObjKind::type, qualified_key(strings(field(b, "typeName"))))) return;
    bool check_constraint = str(con, "contype") == "CONSTR_CHECK";
    // Fix: NOT VALID at the end of a CHECK constraint (NOT NULL has no NOT VALID form).
    std::optional<Fix> fix;
    if (check_constraint && !ctx.statement().approximate) {
      fix = Fix{"add NOT VALID", {Edit{Span{ctx.statement_span().end, ctx.statement_span().end}, " NOT VALID"}}};
    }
    const LockMode m = LockMode::share;  // validateDomainConstraint locks each table that uses the domain
    ctx.report(ctx.statement_span(),
               "adds a constraint to domain " + display(strings(field(b, "typeName"))) +
                   " checks every column of it in every table",
               check_constraint ? "Add it with NOT VALID (new values are checked at once), then run ALTER DOMAIN ... "
                                  "VALIDATE CONSTRAINT in a later migration."
                                : "Use a CHECK (VALUE IS NOT NULL) constraint added NOT VALID and validated later.",
               std::move(fix));
    ctx.note("PostgreSQL checks every column of the domain in every table, and takes " + std::string(lock_name(m)) +
             " on each of those tables (" + blocks_text(m) + ") until the transaction ends");
  }
};
}  // namespace
std::unique_ptr<Rule> make_ban_alter_domain_with_add_constraint() {
  return std::make_unique<BanAlterDomainWithAddConstraint>();
}
}  // namespace driftguard
