#include <cctype>

#include "rules/idempotency/idempotency_util.hpp"

namespace driftguard {
namespace {

bool relation_type(const std::string& t) {
  return t == "OBJECT_TABLE" || t == "OBJECT_VIEW" || t == "OBJECT_MATVIEW" || t == "OBJECT_SEQUENCE" ||
         t == "OBJECT_INDEX" || t == "OBJECT_FOREIGN_TABLE";
}

std::string kind_word(const std::string& t) {
  static const std::pair<const char*, const char*> names[] = {
      {"OBJECT_TABLE", "table"},          {"OBJECT_VIEW", "view"},
      {"OBJECT_MATVIEW", "materialized view"}, {"OBJECT_SEQUENCE", "sequence"},
      {"OBJECT_INDEX", "index"},          {"OBJECT_FOREIGN_TABLE", "foreign table"},
      {"OBJECT_COLUMN", "column"},        {"OBJECT_ATTRIBUTE", "attribute"},
      {"OBJECT_TABCONSTRAINT", "constraint"}, {"OBJECT_DOMCONSTRAINT", "constraint"},
      {"OBJECT_TRIGGER", "trigger"},      {"OBJECT_POLICY", "policy"},
      {"OBJECT_RULE", "rule"},            {"OBJECT_TYPE", "type"},
      {"OBJECT_DOMAIN", "domain"},        {"OBJECT_SCHEMA", "schema"},
      {"OBJECT_FUNCTION", "function"},    {"OBJECT_PROCEDURE", "procedure"},
      {"OBJECT_ROUTINE", "routine"},      {"OBJECT_AGGREGATE", "aggregate"},
      {"OBJECT_ROLE", "role"},            {"OBJECT_DATABASE", "database"},
      {"OBJECT_TABLESPACE", "tablespace"}, {"OBJECT_PUBLICATION", "publication"},
      {"OBJECT_SUBSCRIPTION", "subscription"}, {"OBJECT_EXTENSION", "extension"},
      {"OBJECT_COLLATION", "collation"},  {"OBJECT_CONVERSION", "conversion"},
      {"OBJECT_EVENT_TRIGGER", "event trigger"}, {"OBJECT_FDW", "foreign-data wrapper"},
      {"OBJECT_FOREIGN_SERVER", "server"}, {"OBJECT_STATISTIC_EXT", "statistics object"}};
  for (const auto& [from, to] : names) {
    if (t == from) return to;
  }
  return "object";
}

class NonIdempotentRename final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"non-idempotent-rename", "idempotency", Severity::warning,
                            "RENAME fails when the migration runs again: the old name is gone"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"RenameStmt", "AlterEnumStmt"}; }

  void check(std::string_view type, const json& node, RuleContext& ctx) const override {
    if (idem::skip(ctx)) return;
    const json& b = unwrap(node);
    if (type == "AlterEnumStmt") {
      if (str(b, "oldVal").empty()) return;
      // appends: GCC 12 -O3 warns falsely (-Wrestrict) on `"'" + std::string&&`
      std::string new_value = "'";
      new_value += str(b, "newVal");
      new_value += '\'';
      report(ctx, "value '" + str(b, "oldVal") + "' of enum " + display(strings(field(b, "typeName"))), new_value,
             "Guard it: DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_enum WHERE enumlabel = '" + str(b, "oldVal") +
                 "' AND enumtypid = '...'::regtype) THEN ALTER TYPE ... RENAME VALUE ...; END IF; END $$.");
      return;
    }
    std::string rt = str(b, "renameType");
    // ALTER TABLE IF EXISTS a RENAME TO b does nothing once a is gone.
    if (relation_type(rt) && flag(b, "missing_ok")) return;
    const json& rel = field(b, "relation");
    std::string kind = kind_word(rt);
    std::string object;
    if (relation_type(rt)) {
      object = kind + " " + rangevar_display(rel);
    } else if (rel.is_object() && !str(b, "subname").empty()) {
      object = kind + " " + quote_ident(str(b, "subname")) + (rt == "OBJECT_COLUMN" ? " of " : " on ") +
               rangevar_display(rel);
    } else if (!str(b, "subname").empty()) {
      object = kind + " " + quote_ident(str(b, "subname"));
    } else {
      const json& obj = field(b, "object");
      std::vector<std::string> parts = drop_object_parts(obj);
      if (parts.empty() && node_type(obj) == "List") parts = strings(field(unwrap(obj), "items"));
      if (rt == "OBJECT_DOMCONSTRAINT" && !str(b, "subname").empty()) parts.push_back(str(b, "subname"));
      object = kind + " " + display(parts);
    }
    std::string help =
        "Guard it in a DO block that checks the catalog for the old name first: DO $$ BEGIN IF EXISTS (SELECT 1 "
        "FROM ...) THEN ALTER ... RENAME ...; END IF; END $$";
    if (relation_type(rt)) {
      std::string kw = kind;
      for (char& ch : kw) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      help = "Write ALTER " + kw + " IF EXISTS ... RENAME TO, or g" + help.substr(1);
    }
    report(ctx, object, quote_ident(str(b, "newname")), help + ".");
  }

 private:
  static void report(RuleContext& ctx, const std::string& object, const std::string& new_name, std::string help) {
    ctx.report(ctx.statement_span(),
               "re-run fails: " + object + " was renamed to " + new_name, std::move(help));
  }
};
}  // namespace
std::unique_ptr<Rule> make_non_idempotent_rename() { return std::make_unique<NonIdempotentRename>(); }
}  // namespace driftguard
