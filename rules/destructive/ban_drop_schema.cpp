#include "rules/destructive/drop_util.hpp"

namespace driftguard {
namespace {
class BanDropSchema final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"ban-drop-schema", "destructive", Severity::error,
                            "Dropping a schema removes it, and with CASCADE everything in it"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"DropStmt"}; }
  void check(std::string_view, const json& node, RuleContext& ctx) const override {
    DropInfo d = read_drop(node, ctx);
    if (d.remove_type != "OBJECT_SCHEMA") return;
    auto names = destructive::dropped_existing(d, ObjKind::schema, ctx, false);
    if (names.empty()) return;
    ctx.report(ctx.statement_span(), destructive::drops("schema", "schemas", names) + (d.cascade ? " with CASCADE" : ""),
               "Move or drop the objects in the schema one by one in earlier migrations, then drop the empty schema "
               "without CASCADE.");
    destructive::note_all_names(ctx, names);
    const std::string it = names.size() > 1 ? "them" : "it";
    if (d.cascade) {
      ctx.note("every table, view, sequence, function and type in " + it + " is dropped too, with all their rows");
    } else {
      ctx.note("code, search paths and grants that refer to " + it + " fail");
    }
  }
};
}  // namespace
std::unique_ptr<Rule> make_ban_drop_schema() { return std::make_unique<BanDropSchema>(); }
}  // namespace driftguard
