#include "rules/locking/constraint_util.hpp"

namespace driftguard {
namespace {
class AddingPrimaryKeyConstraint final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"adding-primary-key-constraint", "locking", Severity::warning,
                            "ADD PRIMARY KEY on an existing table builds the index under ACCESS EXCLUSIVE; build it "
                            "CONCURRENTLY and add the key USING INDEX"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"AlterTableStmt"}; }
  void check(std::string_view, const json& node, RuleContext& ctx) const override {
    if (ctx.ancestors().empty()) locking::check_index_constraint(node, ctx, "CONSTR_PRIMARY");
  }
};
}  // namespace
std::unique_ptr<Rule> make_adding_primary_key_constraint() { return std::make_unique<AddingPrimaryKeyConstraint>(); }
}  // namespace driftguard
