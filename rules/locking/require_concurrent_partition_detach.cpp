#include "rules/locking/lock_util.hpp"

namespace driftguard {
namespace {
class RequireConcurrentPartitionDetach final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"require-concurrent-partition-detach", "locking", Severity::warning,
                            "DETACH PARTITION without CONCURRENTLY blocks reads and writes on the partitioned table "
                            "(PostgreSQL 14 and later)"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"AlterTableStmt"}; }
  void check(std::string_view, const json& node, RuleContext& ctx) const override {
    if (!ctx.ancestors().empty() || ctx.settings().pg_version < 14 || locking::concurrently_impossible(ctx)) return;
    const json& parent = field(node, "relation");
    auto cmds = alter_cmds(node);
    for (const auto& c : cmds) {
      if (c.subtype != "AT_DetachPartition") continue;
      const json& pc = field(field(*c.cmd, "def"), "PartitionCmd");
      if (flag(pc, "concurrent")) continue;
      auto lock = existing_lock(ctx, parent);
      if (!lock) return;
      Span span = ctx.alter_cmd_span(node, c.index);
      std::optional<Fix> fix;
      // CONCURRENTLY: the only sub-command, outside a transaction.
      if (cmds.size() == 1 && span.begin != ctx.statement_span().begin && !ctx.state().in_transaction() &&
          ctx.statement().do_depth == 0) {
        fix = Fix{"add CONCURRENTLY", {Edit{Span{span.end, span.end}, locking::keyword_case(ctx, " CONCURRENTLY")}}};
      }
      ctx.report(span,
                 "DETACH PARTITION " + rangevar_display(field(pc, "name")) + " without CONCURRENTLY takes " +
                     std::string(lock_name(lock->mode)),
                 "Write DETACH PARTITION ... CONCURRENTLY (PostgreSQL 14 and later), alone in its ALTER TABLE and "
                 "outside a transaction: it takes SHARE UPDATE EXCLUSIVE, so reads and writes go on.",
                 std::move(fix));
      ctx.note("DETACH PARTITION " + lock_sentence(*lock));
    }
  }

 private:
  static std::optional<LockTaken> existing_lock(const RuleContext& ctx, const json& parent) {
    return locking::existing_lock_on(ctx, rangevar_parts(parent));
  }
};
}  // namespace
std::unique_ptr<Rule> make_require_concurrent_partition_detach() {
  return std::make_unique<RequireConcurrentPartitionDetach>();
}
}  // namespace driftguard
