#include "rules/destructive/dml.hpp"

namespace driftguard {
namespace {
class BanDeleteWithoutWhere final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"ban-delete-without-where", "destructive", Severity::error,
                            "DELETE without a WHERE clause deletes every row of the table"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"DeleteStmt"}; }
  void check(std::string_view, const json& node, RuleContext& ctx) const override {
    const json& b = unwrap(node);
    if (field(b, "whereClause").is_object()) return;
    const json& rel = field(b, "relation");
    if (!rel.is_object() || ctx.run().created_relation(rel)) return;
    if (!dml::runs_now(ctx)) return;
    ctx.report(dml::keyword_to_relation(ctx, rel, "delete"),
               "DELETE without WHERE deletes every row of " + rangevar_display(rel),
               "Add a WHERE clause that selects the rows to delete; to empty the table on purpose, delete in "
               "batches and record why with `-- driftguard-ignore ban-delete-without-where <reason>`.");
    ctx.note("once committed, only a backup brings them back; it holds a lock on each row until the transaction ends");
  }
};
}  // namespace
std::unique_ptr<Rule> make_ban_delete_without_where() { return std::make_unique<BanDeleteWithoutWhere>(); }
}  // namespace driftguard
