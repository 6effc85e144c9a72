#include "rules/types/type_rule.hpp"

namespace driftguard {
namespace {
class PreferTimestamptz final : public TypeRule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"prefer-timestamptz", "types", Severity::warning,
                            "timestamp (without time zone) stores wall-clock times that depend on the writer's time zone"};
    return i;
  }

 protected:
  Problem problem(const DeclaredType& d, const std::string& base) const override {
    if (base != "timestamp") return {};
    return {type_display(*d.type_name) + " (without time zone)", "values are wall-clock times whose meaning depends on the time zone of whoever "
           "wrote them, and converting the column later rewrites the table"};
  }
  std::string help(const DeclaredType&) const override {
    return "Use timestamptz: it stores an instant and converts to the session time zone on output.";
  }
  // DateTime maps to timestamp(3): @db.Timestamptz with the column's precision keeps the values' precision.
  std::optional<std::string> prisma_replacement(const DeclaredType& d, const SchemaField& f) const override {
    if (f.type != "DateTime") return std::nullopt;
    auto mods = type_mods(*d.type_name);
    // appends: GCC 12 -O3 warns falsely (-Wrestrict) on `"(" + std::string&&`
    std::string out = "DateTime @db.Timestamptz";
    if (!mods.empty()) {
      out += '(';
      out += std::to_string(mods[0]);
      out += ')';
    }
    return out;
  }
  std::optional<std::string> replacement(const DeclaredType& d) const override {
    auto mods = type_mods(*d.type_name);
    // appends: GCC 12 -O3 warns falsely (-Wrestrict) on `"(" + std::string&&`
    std::string type = "timestamptz";
    if (!mods.empty()) {
      type += '(';
      type += std::to_string(mods[0]);
      type += ')';
    }
    return type;
  }
};
}  // namespace
std::unique_ptr<Rule> make_prefer_timestamptz() { return std::make_unique<PreferTimestamptz>(); }
}  // namespace driftguard
