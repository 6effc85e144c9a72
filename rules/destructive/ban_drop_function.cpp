#include "rules/destructive/drop_util.hpp"

namespace driftguard {
namespace {
class BanDropFunction final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"ban-drop-function", "destructive", Severity::warning,
                            "Dropping a function or procedure breaks the code, triggers and defaults that call it"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"DropStmt"}; }
  void check(std::string_view, const json& node, RuleContext& ctx) const override {
    std::string rt = str(node, "removeType");
    const char* one = rt == "OBJECT_FUNCTION" ? "function" : rt == "OBJECT_PROCEDURE" ? "procedure"
                                                           : rt == "OBJECT_ROUTINE"   ? "routine"
                                                                                      : nullptr;
    if (!one) return;
    bool cascade = str(node, "behavior") == "DROP_CASCADE";
    std::vector<std::string> names;
    for (const auto& o : field(node, "objects")) {
      const json& owa = field(o, "ObjectWithArgs");
      auto parts = drop_object_parts(o);
      if (parts.empty()) continue;
      std::string key = qualified_key(parts);
      if (function_created_in_file(ctx, o)) continue;
      if (!cascade && destructive::recreated_later(ctx, ObjKind::function, key)) continue;
      std::string shown = display(parts);
      if (!flag(owa, "args_unspecified")) {
        std::vector<std::string> args;
        for (const auto& a : field(owa, "objargs")) args.push_back(type_display(a));
        shown += "(";
        for (std::size_t i = 0; i < args.size(); ++i) shown += (i ? ", " : "") + args[i];
        shown += ")";
      }
      names.push_back(shown);
    }
    if (names.empty()) return;
    std::string many = std::string(one) + "s";
    std::string it = names.size() > 1 ? "them" : "it";
    std::string msg = destructive::drops(one, many.c_str(), names) + ": code, triggers and defaults that still call " +
                      it + " fail";
    if (cascade) msg += "; CASCADE also drops the triggers, views and defaults that use " + it;
    ctx.report(ctx.statement_span(), msg,
               "Stop calling it (code, triggers, defaults, policies) first and deploy, then drop it in a later "
               "migration; to change its body use CREATE OR REPLACE.");
  }
};
}  // namespace
std::unique_ptr<Rule> make_ban_drop_function() { return std::make_unique<BanDropFunction>(); }
}  // namespace driftguard
