#include "rules/locking/lock_util.hpp"

namespace driftguard {
namespace {
class BanCluster final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"ban-cluster", "locking", Severity::warning,
                            "CLUSTER rewrites the table under ACCESS EXCLUSIVE, blocking reads and writes"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"ClusterStmt"}; }
  void check(std::string_view, const json& node, RuleContext& ctx) const override {
    if (!ctx.ancestors().empty()) return;
    const char* help = "Use pg_repack (which reorders online) or keep the table's order by other means.";
    if (!field(node, "relation").is_object()) {
      ctx.report(ctx.statement_span(),
                 "CLUSTER without a table rewrites every table clustered before", help);
      ctx.note("each under ACCESS EXCLUSIVE: blocks reads and writes on each while it is rewritten");
      return;
    }
    // The table's lock (the index's, ACCESS EXCLUSIVE too, goes with it; an index of a new table is new).
    auto lock = locking::existing_lock_on(ctx, rangevar_parts(field(node, "relation")));
    if (!lock) return;
    ctx.report(ctx.statement_span(),
               "CLUSTER rewrites " + lock_target(*lock) + " under " + std::string(lock_name(lock->mode)), help);
    ctx.note("CLUSTER rewrites the table in index order and " + lock_sentence(*lock));
  }
};
}  // namespace
std::unique_ptr<Rule> make_ban_cluster() { return std::make_unique<BanCluster>(); }
}  // namespace driftguard
