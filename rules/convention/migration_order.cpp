// migration-order: produced by `lint --changed-since` from the git diff (cli/git.cpp), not from a statement; registered here
// so that it has an id, a severity and documentation, and can be selected and configured like every rule.
#include "rules/common.hpp"

namespace driftguard {
namespace {
class MigrationOrderRule final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"migration-order", "convention", Severity::error,
                            "A new migration's version sorts before an existing migration's (--changed-since)"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {}; }
  void check(std::string_view, const json&, RuleContext&) const override {}
};
}  // namespace
std::unique_ptr<Rule> make_migration_order() { return std::make_unique<MigrationOrderRule>(); }
}  // namespace driftguard
