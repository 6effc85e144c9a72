#include "rules/types/type_rule.hpp"

namespace driftguard {
namespace {
class PreferTextField final : public TypeRule {
 public:
  const RuleInfo& info() const override {
    // Opt-in: raising n is catalog-only in PostgreSQL 15 (tests/test_rewrite_oracle.cpp), so a limit is no hazard.
    static const RuleInfo i{"prefer-text-field", "types", Severity::off,
                            "varchar(n) limits change only by a schema change; text with a CHECK is as fast and its "
                            "limit changes without a long lock"};
    return i;
  }

 protected:
  Problem problem(const DeclaredType& d, const std::string& base) const override {
    if (base != "varchar" || type_mods(*d.type_name).empty()) return {};
    return {type_display(*d.type_name),
            "raising the limit later is a schema change, and lowering it rewrites the table; text performs the same"};
  }
  std::string help(const DeclaredType&) const override {
    return "Use text, with a CHECK (char_length(col) <= n) constraint if the limit matters (a CHECK can be replaced "
           "with NOT VALID and VALIDATE, without a long lock).";
  }
  // String without a @db attribute is text.
  std::optional<std::string> prisma_replacement(const DeclaredType&, const SchemaField& f) const override {
    if (f.type != "String") return std::nullopt;
    return std::string("String");
  }
  std::optional<std::string> replacement(const DeclaredType& d) const override {
    (void)d;
    return std::string("text");
  }
};
}  // namespace
std::unique_ptr<Rule> make_prefer_text_field() { return std::make_unique<PreferTextField>(); }
}  // namespace driftguard
