#include "rules/destructive/drop_util.hpp"

namespace driftguard {
namespace {
class BanDropExtension final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"ban-drop-extension", "destructive", Severity::error,
                            "Dropping an extension removes its types and functions, and with CASCADE what uses them"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"DropStmt"}; }
  void check(std::string_view, const json& node, RuleContext& ctx) const override {
    DropInfo d = read_drop(node, ctx);
    if (d.remove_type != "OBJECT_EXTENSION") return;
    auto names = destructive::dropped_existing(d, ObjKind::extension, ctx, false);
    if (names.empty()) return;
    ctx.report(ctx.statement_span(), destructive::drops("extension", "extensions", names),
               "Check that nothing uses the extension any more, then drop it in a migration of its own, without "
               "CASCADE.");
    destructive::note_all_names(ctx, names);
    ctx.note("the types, functions and operators it installed go away and code that uses them fails");
    if (d.cascade) {
      ctx.note("CASCADE also drops every column, index and function that depends on them, with the columns' data");
    }
  }
};
}  // namespace
std::unique_ptr<Rule> make_ban_drop_extension() { return std::make_unique<BanDropExtension>(); }
}  // namespace driftguard
