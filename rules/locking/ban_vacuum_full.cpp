#include "rules/locking/lock_util.hpp"

namespace driftguard {
namespace {
class BanVacuumFull final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"ban-vacuum-full", "locking", Severity::warning,
                            "VACUUM FULL rewrites the table under ACCESS EXCLUSIVE, blocking reads and writes"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"VacuumStmt"}; }
  void check(std::string_view, const json& node, RuleContext& ctx) const override {
    if (!ctx.ancestors().empty() || !flag(node, "is_vacuumcmd")) return;
    if (!has_option(field(node, "options"), "full")) return;
    const char* help =
        "Use pg_repack or pg_squeeze to reclaim space online, or let plain VACUUM (no lock on reads and writes) make "
        "the space reusable.";
    if (!field(node, "rels").is_array()) {
      ctx.report(ctx.statement_span(),
                 "VACUUM FULL without a table rewrites every table of the database, each under ACCESS EXCLUSIVE: "
                 "blocks reads and writes on each while it is rewritten",
                 help);
      return;
    }
    auto locks = locking::existing_locks(ctx);
    if (locks.empty()) return;
    std::string msg = "VACUUM FULL rewrites the table and ";
    for (std::size_t i = 0; i < locks.size(); ++i) msg += (i ? ", and " : "") + lock_sentence(locks[i]);
    ctx.report(ctx.statement_span(), msg, help);
  }
};
}  // namespace
std::unique_ptr<Rule> make_ban_vacuum_full() { return std::make_unique<BanVacuumFull>(); }
}  // namespace driftguard
