#include "rules/types/type_rule.hpp"

namespace driftguard {
namespace {
class PreferBigintOverSmallint final : public WidenToBigintRule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"prefer-bigint-over-smallint", "types", Severity::warning,
                            "smallint columns overflow at 32,767; widening one later rewrites the table"};
    return i;
  }

 protected:
  Problem problem(const DeclaredType& d, const std::string& base) const override {
    // A serial column's sequence overflows the same way; prefer-identity reports it (its bigint identity fix
    // resolves both) when it is on.
    const bool serial = base == "smallserial" || base == "serial2";
    if (serial && d.ctx != nullptr && d.ctx->file().info.layout != Layout::prisma &&
        d.ctx->rule_enabled("prefer-identity")) {
      return {};
    }
    if (base != "int2" && !serial) return {};
    return {type_display(*d.type_name), "it overflows at 32,767, and changing it to a wider type later rewrites the table under an exclusive "
           "lock"};
  }
  std::string help(const DeclaredType&) const override {
    return "Use bigint (or integer when the range is known to stay small).";
  }
};
}  // namespace
std::unique_ptr<Rule> make_prefer_bigint_over_smallint() { return std::make_unique<PreferBigintOverSmallint>(); }
}  // namespace driftguard
