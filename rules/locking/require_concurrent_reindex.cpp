#include "rules/locking/lock_util.hpp"

namespace driftguard {
namespace {
class RequireConcurrentReindex final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"require-concurrent-reindex", "locking", Severity::warning,
                            "REINDEX without CONCURRENTLY blocks writes to the table (PostgreSQL 12 and later)"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"ReindexStmt"}; }
  void check(std::string_view, const json& node, RuleContext& ctx) const override {
    if (!ctx.ancestors().empty() || ctx.settings().pg_version < 12) return;
    if (locking::concurrently(ctx.statement())) return;
    const json& rel = field(node, "relation");
    auto lock = locking::existing_lock_on(ctx, rangevar_parts(rel));
    if (!lock) return;
    std::optional<Fix> fix;
    if (!ctx.state().in_transaction() && ctx.statement().do_depth == 0 && !ctx.statement().approximate &&
        rel.contains("location")) {
      std::size_t at = ctx.location_span(rel).begin;
      fix = Fix{"add CONCURRENTLY", {Edit{Span{at, at}, locking::keyword_case(ctx, "CONCURRENTLY") + " "}}};
    }
    ctx.report(ctx.statement_span(), "REINDEX without CONCURRENTLY " + lock_sentence(*lock),
               "Write REINDEX ... CONCURRENTLY (PostgreSQL 12 and later), outside a transaction: it rebuilds the "
               "index while reads and writes go on.",
               std::move(fix));
  }
};
}  // namespace
std::unique_ptr<Rule> make_require_concurrent_reindex() { return std::make_unique<RequireConcurrentReindex>(); }
}  // namespace driftguard
