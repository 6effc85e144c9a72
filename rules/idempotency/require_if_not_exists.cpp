#include "rules/idempotency/idempotency_util.hpp"

namespace driftguard {
namespace {
class RequireIfNotExists final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"require-if-not-exists", "idempotency", Severity::warning,
                            "CREATE or ADD without IF NOT EXISTS fails when the migration runs again"};
    return i;
  }
  std::vector<std::string_view> node_types() const override {
    return {"CreateStmt",          "CreateForeignTableStmt", "CreateTableAsStmt", "IndexStmt",      "CreateSchemaStmt",
            "CreateSeqStmt",       "CreateExtensionStmt", "AlterTableStmt", "AlterEnumStmt"};
  }

  void check(std::string_view type, const json& node, RuleContext& ctx) const override {
    if (idem::skip_create(ctx)) return;
    const json& b = unwrap(node);
    if (type == "CreateStmt" || type == "CreateForeignTableStmt") {
      bool foreign = type == "CreateForeignTableStmt";
      const json& t = foreign ? field(b, "base") : b;
      const json& rel = field(t, "relation");
      if (flag(t, "if_not_exists") || idem::is_temp(rel) || idem::table_dropped_before(ctx, rel)) return;
      report(ctx, ctx.statement_span(), std::string(foreign ? "foreign table " : "table ") + rangevar_display(rel),
             std::string("Write CREATE ") + (foreign ? "FOREIGN " : "") + "TABLE IF NOT EXISTS.");
    } else if (type == "CreateTableAsStmt") {
      const json& rel = field(field(b, "into"), "rel");
      if (flag(b, "if_not_exists") || idem::is_temp(rel) || idem::table_dropped_before(ctx, rel)) return;
      bool matview = str(b, "objtype") == "OBJECT_MATVIEW";
      report(ctx, ctx.statement_span(), std::string(matview ? "materialized view " : "table ") + rangevar_display(rel),
             std::string("Write CREATE ") + (matview ? "MATERIALIZED VIEW" : "TABLE") + " IF NOT EXISTS ... AS.");
    } else if (type == "IndexStmt") {
      const json& rel = field(b, "relation");
      if (flag(b, "if_not_exists") || idem::is_temp(rel) || idem::table_dropped_before(ctx, rel)) return;
      std::string name = str(b, "idxname");
      if (name.empty()) {
        ctx.report(ctx.statement_span(),
                   "a re-run creates a second, identical index on " + rangevar_display(rel),
                   "Name the index and write CREATE INDEX IF NOT EXISTS <name> ON ... (an unnamed index cannot "
                   "take IF NOT EXISTS).");
        ctx.note("an unnamed index gets a new generated name each time");
        return;
      }
      std::string schema = str(rel, "schemaname");
      if (idem::dropped_before(ctx, ObjKind::relation, (schema.empty() ? "public" : schema) + "." + name)) return;
      report(ctx, ctx.statement_span(), "index " + quote_ident(name),
             std::string("Write CREATE ") + (flag(b, "unique") ? "UNIQUE " : "") + "INDEX " +
                 (flag(b, "concurrent") ? "CONCURRENTLY " : "") + "IF NOT EXISTS.");
    } else if (type == "CreateSchemaStmt") {
      if (flag(b, "if_not_exists")) return;
      std::string name = str(b, "schemaname");
      if (name.empty()) name = str(field(b, "authrole"), "rolename");
      if (ctx.state().dropped(ObjKind::schema, name)) return;
      report(ctx, ctx.statement_span(), "schema " + quote_ident(name),
             field(b, "schemaElts").is_array()
                 ? "Write CREATE SCHEMA IF NOT EXISTS, and create the objects in separate statements (IF NOT EXISTS "
                   "cannot be combined with schema elements)."
                 : "Write CREATE SCHEMA IF NOT EXISTS.");
    } else if (type == "CreateSeqStmt") {
      const json& rel = field(b, "sequence");
      if (flag(b, "if_not_exists") || idem::is_temp(rel) || idem::table_dropped_before(ctx, rel)) return;
      report(ctx, ctx.statement_span(), "sequence " + rangevar_display(rel), "Write CREATE SEQUENCE IF NOT EXISTS.");
    } else if (type == "CreateExtensionStmt") {
      std::string name = str(b, "extname");
      if (flag(b, "if_not_exists") || ctx.state().dropped(ObjKind::extension, name)) return;
      report(ctx, ctx.statement_span(), "extension " + quote_ident(name), "Write CREATE EXTENSION IF NOT EXISTS.");
    } else if (type == "AlterTableStmt") {
      if (str(b, "objtype") != "" && str(b, "objtype") != "OBJECT_TABLE") return;
      const json& rel = field(b, "relation");
      if (idem::table_dropped_before(ctx, rel)) return;
      for (const auto& c : alter_cmds(b)) {
        if (c.subtype != "AT_AddColumn" || flag(*c.cmd, "missing_ok")) continue;
        std::string col = str(field(field(*c.cmd, "def"), "ColumnDef"), "colname");
        report(ctx, ctx.alter_cmd_span(b, c.index), "column " + quote_ident(col) + " of " + rangevar_display(rel),
               "Write ADD COLUMN IF NOT EXISTS.");
      }
    } else if (type == "AlterEnumStmt") {
      if (!str(b, "oldVal").empty() || str(b, "newVal").empty() || flag(b, "skipIfNewValExists")) return;
      auto parts = strings(field(b, "typeName"));
      if (idem::dropped_before(ctx, ObjKind::type, qualified_key(parts))) return;
      report(ctx, ctx.statement_span(), "enum value '" + str(b, "newVal") + "' of type " + display(parts),
             "Write ALTER TYPE ... ADD VALUE IF NOT EXISTS.");
    }
  }

 private:
  static void report(RuleContext& ctx, Span span, const std::string& object, std::string help) {
    ctx.report(span, "re-run fails: " + object + " already exists", std::move(help));
  }
};
}  // namespace
std::unique_ptr<Rule> make_require_if_not_exists() { return std::make_unique<RequireIfNotExists>(); }
}  // namespace driftguard
