// syntax-error: produced by the engine when a statement does not parse; registered here so that it has an id,
// a severity, documentation and fixtures like every other rule.
#include "rules/common.hpp"

namespace driftguard {
namespace {
class SyntaxErrorRule final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"syntax-error", "convention", Severity::error,
                            "A statement does not parse with the PostgreSQL 15 grammar"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {}; }
  void check(std::string_view, const json&, RuleContext&) const override {}
};
}  // namespace
std::unique_ptr<Rule> make_syntax_error() { return std::make_unique<SyntaxErrorRule>(); }
}  // namespace driftguard
