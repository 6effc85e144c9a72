#include <algorithm>

#include "rules/destructive/dml.hpp"

namespace driftguard {
namespace {
class BanUpdateWithoutWhere final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"ban-update-without-where", "destructive", Severity::error,
                            "UPDATE without a WHERE clause overwrites every row of the table"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"UpdateStmt"}; }
  void check(std::string_view, const json& node, RuleContext& ctx) const override {
    const json& b = unwrap(node);
    if (field(b, "whereClause").is_object()) return;
    const json& rel = field(b, "relation");
    if (!rel.is_object() || ctx.run().created_relation(rel)) return;
    if (!dml::runs_now(ctx)) return;
    std::string table = rangevar_key(rel);
    std::vector<std::string> cols;
    bool all_new = true;  // every column set was added to the table earlier in this file: a backfill
    for (const auto& t : field(b, "targetList")) {
      std::string name = str(field(t, "ResTarget"), "name");
      if (name.empty()) continue;
      std::string c = quote_ident(name);
      if (std::find(cols.begin(), cols.end(), c) == cols.end()) cols.push_back(c);
      all_new = all_new && ctx.run().created(ObjKind::column, table + "." + name);
    }
    std::string msg;
    if (all_new && !cols.empty()) {
      msg = "UPDATE without WHERE backfills every row of " + rangevar_display(rel) + " in one statement";
    } else {
      msg = "UPDATE without WHERE overwrites every row of " + rangevar_display(rel);
    }
    ctx.report(dml::keyword_to_relation(ctx, rel, "update"), msg,
               "Add a WHERE clause that selects the rows to change (e.g. `WHERE col IS NULL` for a backfill), and "
               "update a large table in batches; if every row must change, record why with "
               "`-- driftguard-ignore ban-update-without-where <reason>`.");
    if (all_new && !cols.empty()) {
      ctx.note("it sets " + join_names(cols) + ", added in this file: every row stays locked until the transaction "
               "ends, and the table can grow to twice its size with dead row versions");
    } else {
      ctx.note((cols.empty() ? std::string("the old values are lost") : "the old values of " + join_names(cols) + " are lost") +
               ", every row stays locked until the transaction ends, and the table can grow to twice its size with "
               "dead row versions");
    }
  }
};
}  // namespace
std::unique_ptr<Rule> make_ban_update_without_where() { return std::make_unique<BanUpdateWithoutWhere>(); }
}  // namespace driftguard
