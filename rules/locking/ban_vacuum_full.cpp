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
                 "VACUUM FULL without a table rewrites every table of the database", help);
      ctx.note("each under ACCESS EXCLUSIVE: blocks reads and writes on each while it is rewritten");
      return;
    }
    auto locks = locking::existing_locks(ctx);
    if (locks.empty()) return;
    std::vector<std::string> targets;
    for (const auto& l : locks) targets.push_back(lock_target(l));
    ctx.report(ctx.statement_span(),
               "VACUUM FULL rewrites " + join_names_short(targets) + " under " + std::string(lock_name(locks[0].mode)),
               help);
    for (const auto& l : locks) ctx.note("VACUUM FULL rewrites the table and " + lock_sentence(l));
  }
};
}  // namespace
std::unique_ptr<Rule> make_ban_vacuum_full() { return std::make_unique<BanVacuumFull>(); }
}  // namespace driftguard
