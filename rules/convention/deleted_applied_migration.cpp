// deleted-applied-migration: produced by `lint --changed-since` from the git diff (cli/git.cpp), not from a
// statement; registered here so that it has an id, a severity and documentation, and can be selected and configured
// like every rule.
#include "rules/common.hpp"

namespace driftguard {
namespace {
class DeletedAppliedMigrationRule final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"deleted-applied-migration", "convention", Severity::error,
                            "A change deletes or renames a migration that already existed at the base ref (--changed-since)"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {}; }
  void check(std::string_view, const json&, RuleContext&) const override {}
};
}  // namespace
std::unique_ptr<Rule> make_deleted_applied_migration() { return std::make_unique<DeletedAppliedMigrationRule>(); }
}  // namespace driftguard
