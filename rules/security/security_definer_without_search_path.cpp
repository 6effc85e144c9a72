#include "rules/common.hpp"

namespace driftguard {
namespace {
class SecurityDefinerWithoutSearchPath final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"security-definer-without-search-path", "security", Severity::warning,
                            "SECURITY DEFINER function without SET search_path: callers can hijack the names it "
                            "uses"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"CreateFunctionStmt"}; }
  void check(std::string_view, const json& node, RuleContext& ctx) const override {
    const json& b = unwrap(node);
    const json* definer = nullptr;
    for (const auto& o : field(b, "options")) {
      const json& d = field(o, "DefElem");
      std::string name = str(d, "defname");
      if (name == "security" && flag(field(field(d, "arg"), "Boolean"), "boolval")) definer = &o;
      if (name == "set" && str(field(field(d, "arg"), "VariableSetStmt"), "name") == "search_path") return;
    }
    if (definer == nullptr) return;
    bool proc = flag(b, "is_procedure");
    ctx.report(ctx.location_span(*definer),
               std::string(proc ? "procedure " : "function ") + display(strings(field(b, "funcname"))) +
                   " is SECURITY DEFINER without SET search_path",
               "Add SET search_path = '' (and schema-qualify every name in the body), or SET search_path = "
               "pg_catalog, <your schema>.");
    ctx.note("it runs with its owner's privileges, and a caller who can create objects in a schema on the search "
             "path can make it run their own functions or tables with those privileges");
  }
};
}  // namespace
std::unique_ptr<Rule> make_security_definer_without_search_path() {
  return std::make_unique<SecurityDefinerWithoutSearchPath>();
}
}  // namespace driftguard
