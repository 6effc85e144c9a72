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
    std::vector<std::string> heads;  // as the first line names them: a long argument list as its count
    for (const auto& o : field(node, "objects")) {
      const json& owa = field(o, "ObjectWithArgs");
      auto parts = drop_object_parts(o);
      if (parts.empty()) continue;
      std::string key = qualified_key(parts);
      if (function_created_in_file(ctx, o)) continue;
      if (!cascade && destructive::recreated_later(ctx, ObjKind::function, key)) continue;
      std::string shown = display(parts);
      std::string head = shown;
      if (!flag(owa, "args_unspecified")) {
        std::vector<std::string> args;
        for (const auto& a : field(owa, "objargs")) args.push_back(type_display(a));
        std::string list;
        for (std::size_t i = 0; i < args.size(); ++i) list += (i ? ", " : "") + args[i];
        shown += "(" + list + ")";
        head += '(';  // appends: GCC 12 -O3 warns falsely (-Wrestrict) on `"(" + std::string&&`
        head += list.size() <= 24 ? list : std::to_string(args.size()) + " arguments";
        head += ')';
      }
      names.push_back(shown);
      heads.push_back(head);
    }
    if (names.empty()) return;
    std::string many = std::string(one) + "s";
    std::string it = names.size() > 1 ? "them" : "it";
    ctx.report(ctx.statement_span(), destructive::drops(one, many.c_str(), heads),
               "Stop calling it (code, triggers, defaults, policies) first and deploy, then drop it in a later "
               "migration; to change its body use CREATE OR REPLACE.");
    if (heads != names || names.size() > 2) ctx.note("dropped: " + join_names(names));
    ctx.note("code, triggers and defaults that still call " + it + " fail");
    if (cascade) ctx.note("CASCADE also drops the triggers, views and defaults that use " + it);
  }
};
}  // namespace
std::unique_ptr<Rule> make_ban_drop_function() { return std::make_unique<BanDropFunction>(); }
}  // namespace driftguard
