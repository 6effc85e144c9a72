#include "rules/types/type_rule.hpp"

namespace driftguard {
namespace {
class PreferBigintOverInt final : public TypeRule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"prefer-bigint-over-int", "types", Severity::warning,
                            "integer columns overflow at 2,147,483,647; widening one later rewrites the table"};
    return i;
  }

 protected:
  std::string problem(const DeclaredType& d, const std::string& base) const override {
    // A serial column's sequence overflows the same way; prefer-identity reports it (its bigint identity fix
    // resolves both) when it is on.
    const bool serial = base == "serial" || base == "serial4";
    if (serial && d.ctx != nullptr && d.ctx->rule_enabled("prefer-identity")) return {};
    if (base != "int4" && !serial) return {};
    return column_subject(d) + " is " + type_display(*d.type_name) +
           ": it overflows at 2,147,483,647, and changing it to bigint later rewrites the table under an exclusive "
           "lock";
  }
  std::string help(const DeclaredType&) const override {
    return "Use bigint: it costs 4 more bytes per row and never needs a rewrite.";
  }
  std::optional<std::string> replacement(const DeclaredType& d) const override {
    return std::string(is_serial(*d.type_name) ? "bigserial" : "bigint");
  }
};
}  // namespace
std::unique_ptr<Rule> make_prefer_bigint_over_int() { return std::make_unique<PreferBigintOverInt>(); }
}  // namespace driftguard
