#include <cctype>

#include "rules/idempotency/idempotency_util.hpp"

namespace driftguard {
namespace {

// "OBJECT_MATVIEW" -> "materialized view"
std::string kind_name(const std::string& remove_type) {
  static const std::pair<const char*, const char*> special[] = {
      {"OBJECT_MATVIEW", "materialized view"},     {"OBJECT_FDW", "foreign-data wrapper"},
      {"OBJECT_FOREIGN_SERVER", "server"},         {"OBJECT_OPCLASS", "operator class"},
      {"OBJECT_OPFAMILY", "operator family"},      {"OBJECT_TSCONFIGURATION", "text search configuration"},
      {"OBJECT_TSDICTIONARY", "text search dictionary"}, {"OBJECT_TSPARSER", "text search parser"},
      {"OBJECT_TSTEMPLATE", "text search template"}, {"OBJECT_STATISTIC_EXT", "statistics object"},
      {"OBJECT_LARGEOBJECT", "large object"}};
  for (const auto& [from, to] : special) {
    if (remove_type == from) return to;
  }
  std::string out = remove_type.rfind("OBJECT_", 0) == 0 ? remove_type.substr(7) : remove_type;
  for (char& c : out) c = c == '_' ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string plural(const std::string& kind, std::size_t n) {
  if (n < 2) return kind;
  if (kind.back() == 'x' || kind.back() == 's') return kind + "es";
  if (kind.back() == 'y') return kind.substr(0, kind.size() - 1) + "ies";
  return kind + "s";
}

class RequireIfExists final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"require-if-exists", "idempotency", Severity::warning,
                            "DROP without IF EXISTS fails when the migration runs again"};
    return i;
  }
  std::vector<std::string_view> node_types() const override {
    return {"DropStmt", "DropdbStmt", "DropRoleStmt", "DropSubscriptionStmt", "DropTableSpaceStmt",
            "AlterTableStmt"};
  }

  void check(std::string_view type, const json& node, RuleContext& ctx) const override {
    if (idem::skip(ctx)) return;
    const json& b = unwrap(node);
    if (type == "DropStmt") {
      DropInfo d = read_drop(b, ctx);
      if (d.missing_ok) return;
      auto names = existing_targets(d);
      if (names.empty()) return;
      std::string kind = kind_name(d.remove_type);
      report(ctx, ctx.statement_span(), plural(kind, names.size()) + " " + join_names_short(names), names.size(),
             "Write DROP " + upper(kind) + (d.concurrent ? " CONCURRENTLY" : "") + " IF EXISTS.");
      if (names_shortened(names)) ctx.note("all " + std::to_string(names.size()) + ": " + join_names(names));
    } else if (type == "DropRoleStmt") {
      if (flag(b, "missing_ok")) return;
      std::vector<std::string> names;
      for (const auto& r : field(b, "roles")) {
        std::string n = str(field(r, "RoleSpec"), "rolename");
        if (!n.empty()) names.push_back(quote_ident(n));
      }
      if (names.empty()) return;
      report(ctx, ctx.statement_span(), plural("role", names.size()) + " " + join_names_short(names), names.size(),
             "Write DROP ROLE IF EXISTS.");
      if (names_shortened(names)) ctx.note("all " + std::to_string(names.size()) + ": " + join_names(names));
    } else if (type == "DropdbStmt" || type == "DropSubscriptionStmt" || type == "DropTableSpaceStmt") {
      if (flag(b, "missing_ok")) return;
      std::string kind = type == "DropdbStmt" ? "database" : type == "DropSubscriptionStmt" ? "subscription" : "tablespace";
      std::string name = str(b, type == "DropdbStmt" ? "dbname" : type == "DropSubscriptionStmt" ? "subname" : "tablespacename");
      report(ctx, ctx.statement_span(), kind + " " + quote_ident(name), 1, "Write DROP " + upper(kind) + " IF EXISTS.");
    } else if (type == "AlterTableStmt") {
      const json& rel = field(b, "relation");
      if (idem::table_dropped_before(ctx, rel)) return;
      for (const auto& c : alter_cmds(b)) {
        bool column = c.subtype == "AT_DropColumn";
        if ((!column && c.subtype != "AT_DropConstraint") || flag(*c.cmd, "missing_ok")) continue;
        std::string what = str(b, "objtype") == "OBJECT_TYPE" ? "attribute" : column ? "column" : "constraint";
        report(ctx, ctx.alter_cmd_span(b, c.index),
               what + " " + quote_ident(str(*c.cmd, "name")) + (column ? " of " : " on ") + rangevar_display(rel), 1,
               "Write DROP " + upper(what) + " IF EXISTS.");
      }
    }
  }

 private:
  static void report(RuleContext& ctx, Span span, const std::string& object, std::size_t n, std::string help) {
    ctx.report(span, "re-run fails: " + object + (n > 1 ? " were" : " was") + " already dropped",
               std::move(help));
  }
};
}  // namespace
std::unique_ptr<Rule> make_require_if_exists() { return std::make_unique<RequireIfExists>(); }
}  // namespace driftguard
