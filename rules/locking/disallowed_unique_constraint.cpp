#include "rules/locking/constraint_util.hpp"

namespace driftguard {
namespace {
class DisallowedUniqueConstraint final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"disallowed-unique-constraint", "locking", Severity::warning,
                            "ADD UNIQUE on an existing table builds the index under ACCESS EXCLUSIVE; build it "
                            "CONCURRENTLY and add the constraint USING INDEX"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"AlterTableStmt"}; }
  void check(std::string_view, const json& node, RuleContext& ctx) const override {
    if (ctx.ancestors().empty()) locking::check_index_constraint(node, ctx, "CONSTR_UNIQUE");
  }
};
}  // namespace
std::unique_ptr<Rule> make_disallowed_unique_constraint() { return std::make_unique<DisallowedUniqueConstraint>(); }
}  // namespace driftguard
