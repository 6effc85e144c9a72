#include "rules/locking/lock_util.hpp"

namespace driftguard {
namespace {
class RequireConcurrentIndexDeletion final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"require-concurrent-index-deletion", "locking", Severity::warning,
                            "DROP INDEX without CONCURRENTLY blocks reads and writes on the index's table"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"DropStmt"}; }
  void check(std::string_view, const json& node, RuleContext& ctx) const override {
    if (!ctx.ancestors().empty() || str(node, "removeType") != "OBJECT_INDEX" || flag(node, "concurrent")) return;
    if (locking::concurrently_impossible(ctx)) return;
    DropInfo d = read_drop(node, ctx);
    std::vector<std::string> names;
    LockMode mode = LockMode::none;
    for (const auto& t : d.targets) {
      if (ctx.state().is_new_relation(t.parts)) continue;
      names.push_back(t.display);
      if (auto l = locking::existing_lock_on(ctx, t.parts)) mode = l->mode;
    }
    if (names.empty() || mode == LockMode::none) return;
    // DROP INDEX CONCURRENTLY drops one index, without CASCADE, outside a transaction.
    std::optional<Fix> fix;
    if (auto at = locking::after_keyword(ctx, "index"); at && d.targets.size() == 1 && !d.cascade &&
                                                        !ctx.state().in_transaction() && ctx.statement().do_depth == 0) {
      fix = Fix{"add CONCURRENTLY", {Edit{Span{*at, *at}, locking::keyword_case(ctx, " CONCURRENTLY")}}};
    }
    ctx.report(ctx.statement_span(),
               "DROP INDEX " + (names.size() == 1 ? names[0] : std::to_string(names.size()) + " indexes") +
                   " without CONCURRENTLY takes " + std::string(lock_name(mode)),
               "Write DROP INDEX CONCURRENTLY (one index per statement, no CASCADE, outside a transaction): it waits "
               "for running queries instead of blocking new ones.",
               std::move(fix));
    ctx.note("DROP INDEX takes " + std::string(lock_name(mode)) + " on the table of " + join_names(names) + ": " +
             blocks_text(mode) + " until the transaction ends");
  }
};
}  // namespace
std::unique_ptr<Rule> make_require_concurrent_index_deletion() {
  return std::make_unique<RequireConcurrentIndexDeletion>();
}
}  // namespace driftguard
