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
    std::string msg = destructive::drops("schema", "schemas", names);
    if (d.cascade) {
      msg += " with CASCADE: every table, view, sequence, function and type in " +
             std::string(names.size() > 1 ? "them" : "it") + " is dropped too, with all their rows";
    } else {
      msg += ": code, search paths and grants that refer to " + std::string(names.size() > 1 ? "them" : "it") +
             " fail";
    }
    ctx.report(ctx.statement_span(), msg,
               "Move or drop the objects in the schema one by one in earlier migrations, then drop the empty schema "
               "without CASCADE.");
  }
};
}  // namespace
std::unique_ptr<Rule> make_ban_drop_schema() { return std::make_unique<BanDropSchema>(); }
}  // namespace driftguard
