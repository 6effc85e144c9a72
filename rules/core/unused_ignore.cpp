// unused-ignore: produced by the engine for driftguard-ignore comments that name an unknown rule or suppress
// nothing; registered here so that it has an id, a severity, documentation and fixtures.
#include "rules/common.hpp"

namespace driftguard {
namespace {
class UnusedIgnoreRule final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"unused-ignore", "convention", Severity::warning,
                            "A driftguard-ignore comment names an unknown rule or suppresses nothing"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {}; }
  void check(std::string_view, const json&, RuleContext&) const override {}
};
}  // namespace
std::unique_ptr<Rule> make_unused_ignore() { return std::make_unique<UnusedIgnoreRule>(); }
}  // namespace driftguard
