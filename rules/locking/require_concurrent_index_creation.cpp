#include "rules/locking/lock_util.hpp"

namespace driftguard {
namespace {
class RequireConcurrentIndexCreation final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"require-concurrent-index-creation", "locking", Severity::warning,
                            "CREATE INDEX on an existing table without CONCURRENTLY blocks writes while it builds"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"IndexStmt"}; }
  void check(std::string_view, const json& node, RuleContext& ctx) const override {
    if (!ctx.ancestors().empty() || flag(node, "concurrent") || locking::concurrently_impossible(ctx)) return;
    auto lock = locking::existing_lock_on(ctx, rangevar_parts(field(node, "relation")));
    if (!lock) return;
    std::optional<Fix> fix;
    if (auto at = locking::after_keyword(ctx, "index"); at && !ctx.state().in_transaction() &&
                                                        ctx.statement().do_depth == 0) {
      fix = Fix{"add CONCURRENTLY", {Edit{Span{*at, *at}, locking::keyword_case(ctx, " CONCURRENTLY")}}};
    }
    ctx.report(ctx.statement_span(),
               "CREATE INDEX without CONCURRENTLY takes " + std::string(lock_name(lock->mode)) + " on " +
                   lock_target(*lock),
               "Write CREATE INDEX CONCURRENTLY, outside a transaction: it builds the index while writes go on "
               "(it takes longer, and a failed build leaves an INVALID index to drop).",
               std::move(fix));
    ctx.note("CREATE INDEX " + lock_sentence(*lock));
  }
};
}  // namespace
std::unique_ptr<Rule> make_require_concurrent_index_creation() {
  return std::make_unique<RequireConcurrentIndexCreation>();
}
}  // namespace driftguard
