#include "rules/types/type_rule.hpp"

namespace driftguard {
namespace {
class BanCharField final : public TypeRule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"ban-char-field", "types", Severity::warning,
                            "char(n) pads values with spaces and is no faster than text"};
    return i;
  }

 protected:
  Problem problem(const DeclaredType& d, const std::string& base) const override {
    if (base != "bpchar") return {};
    return {type_display(*d.type_name), "char(n) pads values with spaces (which comparisons and clients then see or ignore inconsistently), "
           "and is never faster than text"};
  }
  std::string help(const DeclaredType&) const override {
    return "Use text (with a CHECK constraint for a fixed length if needed).";
  }
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
std::unique_ptr<Rule> make_ban_char_field() { return std::make_unique<BanCharField>(); }
}  // namespace driftguard
