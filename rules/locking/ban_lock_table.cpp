#include "rules/locking/lock_util.hpp"

namespace driftguard {
namespace {
class BanLockTable final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"ban-lock-table", "locking", Severity::info,
                            "LOCK TABLE in a migration: an explicit lock held until the transaction ends"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"LockStmt"}; }
  void check(std::string_view, const json&, RuleContext& ctx) const override {
    if (!ctx.ancestors().empty()) return;
    auto locks = locking::existing_locks(ctx);
    if (locks.empty()) return;
    std::vector<std::string> targets;
    for (const auto& l : locks) targets.push_back(lock_target(l));
    ctx.report(ctx.statement_span(),
               "LOCK TABLE takes " + std::string(lock_name(locks[0].mode)) + " on " + join_names_short(targets),
               "Make sure the lock is needed and the transaction is short, and SET lock_timeout first so that "
               "waiting for the lock does not queue every other query behind it.");
    for (const auto& l : locks) ctx.note("LOCK TABLE " + lock_sentence(l));
  }
};
}  // namespace
std::unique_ptr<Rule> make_ban_lock_table() { return std::make_unique<BanLockTable>(); }
}  // namespace driftguard
