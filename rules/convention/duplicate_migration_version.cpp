// duplicate-migration-version: produced by `lint --changed-since` from the git diff (cli/git.cpp), not from a statement; registered here
// so that it has an id, a severity and documentation, and can be selected and configured like every rule.
#include "rules/common.hpp"

namespace driftguard {
namespace {
class DuplicateMigrationVersionRule final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"duplicate-migration-version", "convention", Severity::error,
                            "A new migration uses the version of another migration in the same folder (--changed-since)"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {}; }
  void check(std::string_view, const json&, RuleContext&) const override {}
};
}  // namespace
std::unique_ptr<Rule> make_duplicate_migration_version() { return std::make_unique<DuplicateMigrationVersionRule>(); }
}  // namespace driftguard
