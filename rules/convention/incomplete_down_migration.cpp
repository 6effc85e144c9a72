// incomplete-down-migration: produced by `lint` and `driftguard check-down` (cli/check_down.cpp), which replay the
// history, the up migration and its down migration and compare the schema with the one before the up; registered
// here so that it has an id, a severity and documentation, and can be selected and configured like every rule.
#include "rules/common.hpp"

namespace driftguard {
namespace {
class IncompleteDownMigrationRule final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"incomplete-down-migration", "convention", Severity::warning,
                            "A down migration does not restore the schema before its up migration (on by default "
                            "for up/down layouts)",
                            Layout::up_down};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {}; }
  void check(std::string_view, const json&, RuleContext&) const override {}
};
}  // namespace
std::unique_ptr<Rule> make_incomplete_down_migration() { return std::make_unique<IncompleteDownMigrationRule>(); }
}  // namespace driftguard
