#include <algorithm>
#include <cctype>

#include "analyzer/text.hpp"
#include "rules/common.hpp"

namespace driftguard {
namespace {

// Does a later statement of the file enable row level security on the table?
bool enabled_later(const RuleContext& ctx, const std::string& key) {
  const auto& all = ctx.statements();
  for (std::size_t i = ctx.statement_index() + 1; i < all.size(); ++i) {
    if (all[i].kind != "AlterTableStmt") continue;
    const json& b = unwrap(all[i].node);
    if (rangevar_key(field(b, "relation")) != key) continue;
    for (const auto& c : alter_cmds(all[i].node)) {
      if (c.subtype == "AT_EnableRowSecurity") return true;
    }
  }
  return false;
}

class RlsNotEnabled final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"rls-not-enabled", "security", Severity::warning,
                            "A table in an exposed schema without ENABLE ROW LEVEL SECURITY in the same migration "
                            "(on by default for Supabase migrations)",
                            Layout::supabase};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"CreateStmt", "CreateTableAsStmt"}; }
  void check(std::string_view type, const json& node, RuleContext& ctx) const override {
    const json& b = unwrap(node);
    if (type == "CreateTableAsStmt" && str(b, "objtype") != "OBJECT_TABLE") return;
    const json& rel = type == "CreateStmt" ? field(b, "relation") : field(field(b, "into"), "rel");
    if (!rel.is_object() || str(rel, "relpersistence") == "t") return;
    std::string schema = str(rel, "schemaname");
    if (schema.empty()) schema = "public";
    const auto& exposed = ctx.settings().exposed_schemas;
    if (std::find(exposed.begin(), exposed.end(), schema) == exposed.end()) return;
    if (enabled_later(ctx, rangevar_key(rel))) return;
    // Fix: enable it right after the CREATE, in the statement's letter case.
    std::optional<Fix> fix;
    if (!ctx.statement().approximate) {
      bool lower = std::islower(static_cast<unsigned char>(ctx.file().text[ctx.statement_span().begin]));
      std::string sql = std::string(lower ? "alter table " : "ALTER TABLE ") + rangevar_display(rel) +
                        (lower ? " enable row level security;" : " ENABLE ROW LEVEL SECURITY;");
      fix = Fix{"enable row level security", {Edit{Span{ctx.after_statement(), ctx.after_statement()}, "\n" + sql}}};
    }
    ctx.report(ctx.location_span(rel),
               "table " + rangevar_display(rel) + " is created without row level security",
               "Add ALTER TABLE " + rangevar_display(rel) +
                   " ENABLE ROW LEVEL SECURITY; in the same migration, then CREATE POLICY for what each role may "
                   "do.",
               std::move(fix));
    ctx.note("it is in exposed schema " + quote_ident(schema) + " and this migration does not ENABLE ROW LEVEL "
             "SECURITY on it: every client with the API role can read and change all of its rows");
  }
};
}  // namespace
std::unique_ptr<Rule> make_rls_not_enabled() { return std::make_unique<RlsNotEnabled>(); }
}  // namespace driftguard
