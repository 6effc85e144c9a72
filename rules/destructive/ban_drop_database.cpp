#include "rules/common.hpp"

namespace driftguard {
namespace {
class BanDropDatabase final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"ban-drop-database", "destructive", Severity::error,
                            "Dropping a database deletes every schema, table and row in it"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"DropdbStmt"}; }
  void check(std::string_view, const json& node, RuleContext& ctx) const override {
    ctx.report(ctx.statement_span(), "drops database " + quote_ident(str(node, "dbname")),
               "Do not drop databases from a migration; drop it by hand, after a backup, in the one environment "
               "where that is intended.");
    ctx.note("every schema, table and row in it is deleted and cannot be recovered without a backup");
    for (const auto& o : field(node, "options")) {
      if (str(field(o, "DefElem"), "defname") == "force") {
        ctx.note("WITH (FORCE) also terminates every session connected to it");
        break;
      }
    }
  }
};
}  // namespace
std::unique_ptr<Rule> make_ban_drop_database() { return std::make_unique<BanDropDatabase>(); }
}  // namespace driftguard
