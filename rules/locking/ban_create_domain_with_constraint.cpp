#include "rules/common.hpp"

namespace driftguard {
namespace {
class BanCreateDomainWithConstraint final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"ban-create-domain-with-constraint", "locking", Severity::warning,
                            "A domain with a CHECK or NOT NULL constraint: changing it later scans every column of "
                            "that type"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"CreateDomainStmt"}; }
  void check(std::string_view, const json& node, RuleContext& ctx) const override {
    const json& b = unwrap(node);
    for (const auto& c : field(b, "constraints")) {
      const json& con = field(c, "Constraint");
      std::string t = str(con, "contype");
      if (t != "CONSTR_CHECK" && t != "CONSTR_NOTNULL") continue;
      ctx.report(ctx.location_span(c),
                 "domain " + display(strings(field(b, "domainname"))) + " has a " +
                     (t == "CONSTR_CHECK" ? "CHECK" : "NOT NULL") +
                     " constraint",
                 "Put the constraint on the columns (CHECK ... NOT VALID, then VALIDATE CONSTRAINT), or use a "
                 "domain without constraints.");
      ctx.note("adding or changing a domain constraint later checks every column of the type in every table, with no "
               "NOT VALID-and-VALIDATE path for NOT NULL, and the constraint is easy to miss when reading the tables");
    }
  }
};
}  // namespace
std::unique_ptr<Rule> make_ban_create_domain_with_constraint() {
  return std::make_unique<BanCreateDomainWithConstraint>();
}
}  // namespace driftguard
