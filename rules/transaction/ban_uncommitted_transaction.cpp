#include "rules/common.hpp"

namespace driftguard {
namespace {
class BanUncommittedTransaction final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"ban-uncommitted-transaction", "transaction", Severity::error,
                            "A BEGIN without a matching COMMIT or ROLLBACK before the end of the file"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {}; }
  void check(std::string_view, const json&, RuleContext&) const override {}
  void finish_file(RuleContext& ctx) const override {
    // A BEGIN inside the runner's transaction was ignored (transaction-nesting reports it); the runner commits.
    if (!ctx.state().in_explicit_transaction() || ctx.state().explicit_nested()) return;
    Span begin = ctx.state().transaction_begin();
    ctx.report(begin,
               "the migration leaves its transaction open",
               "Add COMMIT at the end of the file, or remove the BEGIN and let the runner manage the transaction.");
    ctx.note("the transaction opened by " + std::string(ctx.text(begin)) + " stays open: the runner's connection "
             "either commits it implicitly, rolls it back when the connection closes, or holds its locks");
  }
};
}  // namespace
std::unique_ptr<Rule> make_ban_uncommitted_transaction() { return std::make_unique<BanUncommittedTransaction>(); }
}  // namespace driftguard
