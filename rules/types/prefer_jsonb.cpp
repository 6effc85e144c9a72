#include "rules/types/type_rule.hpp"

namespace driftguard {
namespace {
class PreferJsonb final : public TypeRule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"prefer-jsonb", "types", Severity::info,
                            "json stores the raw text: no indexing, no equality, slower to query than jsonb"};
    return i;
  }

 protected:
  Problem problem(const DeclaredType&, const std::string& base) const override {
    if (base != "json") return {};
    return {"json", "it keeps the raw text (re-parsed on every access), has no equality "
           "operator and cannot be indexed with GIN; converting later rewrites the table"};
  }
  std::string help(const DeclaredType&) const override {
    return "Use jsonb, unless key order, duplicate keys or exact whitespace must be preserved.";
  }
  // Json without @db.Json is jsonb.
  std::optional<std::string> prisma_replacement(const DeclaredType&, const SchemaField& f) const override {
    if (f.type != "Json") return std::nullopt;
    return std::string("Json");
  }
  std::optional<std::string> replacement(const DeclaredType& d) const override {
    (void)d;
    return std::string("jsonb");
  }
};
}  // namespace
std::unique_ptr<Rule> make_prefer_jsonb() { return std::make_unique<PreferJsonb>(); }
}  // namespace driftguard
