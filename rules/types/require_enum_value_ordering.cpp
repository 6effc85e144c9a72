#include "rules/common.hpp"

namespace driftguard {
namespace {
class RequireEnumValueOrdering final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"require-enum-value-ordering", "types", Severity::off,
                            "ALTER TYPE ... ADD VALUE without BEFORE/AFTER: the value's sort position is implicit"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"AlterEnumStmt"}; }
  void check(std::string_view, const json& node, RuleContext& ctx) const override {
    const json& b = unwrap(node);
    if (str(b, "newVal").empty() || !str(b, "oldVal").empty() || !str(b, "newValNeighbor").empty()) return;
    ctx.report(ctx.statement_span(),
               "adds value '" + str(b, "newVal") + "' to enum " + display(strings(field(b, "typeName"))) +
                   " without BEFORE or AFTER",
               "Say where it belongs: ADD VALUE '" + str(b, "newVal") + "' BEFORE 'x' or AFTER 'x'.");
    ctx.note("it sorts after every existing value, and ORDER BY, comparisons and ranges over the enum follow that "
             "order");
  }
};
}  // namespace
std::unique_ptr<Rule> make_require_enum_value_ordering() { return std::make_unique<RequireEnumValueOrdering>(); }
}  // namespace driftguard
